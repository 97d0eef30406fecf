from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("村（社区）档案")

    def ready(self) -> None:
        # Change history (操作日志) for every model a person edits. Registered
        # here, explicitly, rather than with AUDITLOG_INCLUDE_ALL_MODELS so that
        # append-only machine tables (device requests, punches) stay out of it
        # (tests/core/test_audit.py keeps that list explicit).
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from villages import audit
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
            audit.register(model)
        # Accounts: a password change is recorded, never the hash.
        audit.register(get_user_model(), mask_fields=["password"], exclude_fields=["last_login"])
        audit.register(Group)
        audit.connect_signals()
