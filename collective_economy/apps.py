from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectiveEconomyConfig(AppConfig):
    name = "collective_economy"
    verbose_name = _("村级集体经济")

    def ready(self) -> None:
        from collective_economy import models as m
        from jinhu.core import history

        for model in (
            m.Thresholds,
            m.AnnualAccount,
            m.MonthlyAccount,
            m.IncomeLine,
            m.Fund,
            m.Asset,
            m.Resource,
            m.Contract,
            m.ContractPayment,
            m.CleanupItem,
            m.Project,
            m.ProjectMilestone,
        ):
            history.register(model)
        # An import's request and outcome, not its file (kept on the job itself).
        history.register(m.ImportJob, exclude_fields=["data", "errors"])
