from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("村（社区）档案")

    def ready(self) -> None:
        # Change history (操作日志) for every model a person edits. Registered
        # here, explicitly, rather than with AUDITLOG_INCLUDE_ALL_MODELS so that
        # append-only machine tables (device requests, punches) stay out of it.
        from auditlog.registry import auditlog

        from villages import models as m

        for model in (
            m.SubDistrict,
            m.Village,
            m.PartyOrganization,
            m.Term,
            m.Cadre,
            m.CadrePosition,
            m.VillageAssignment,
            m.Profile,
        ):
            auditlog.register(model)
