from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemonstrationBeltConfig(AppConfig):
    name = "demonstration_belt"
    verbose_name = _("党建示范带")

    def ready(self) -> None:
        from demonstration_belt import models as m
        from jinhu.core import history

        for model in (
            m.Belt,
            m.BeltMembership,
            m.CreationPlan,
            m.Target,
            m.Agreement,
            m.Indicator,
            m.MonthlyReport,
            m.ReportItem,
            m.Evidence,
            m.Meeting,
            m.Inspection,
            m.Finding,
            m.Suggestion,
            m.PartyDayMethod,
            m.PartyDayActivity,
            m.CheckItem,
            m.ServiceCenterCheck,
            m.CheckResult,
            m.ReviewerScore,
            m.BonusItem,
            m.MajorFailure,
            m.Proposal,
            m.Admonishment,
        ):
            history.register(model)
