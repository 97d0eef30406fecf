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

        from jinhu.core import history
        from villages import models as m
        from villages.services import audit

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
            history.register(model)
        # Accounts: a password change is recorded, never the hash.
        history.register(get_user_model(), mask_fields=["password"], exclude_fields=["last_login"])
        history.register(Group)
        # Two-factor devices: enrolment and removal, never the key.
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        secret = ["key", "last_t", "drift", "throttling_failure_timestamp"]
        secret += ["throttling_failure_count", "last_used_at"]
        history.register(TOTPDevice, exclude_fields=secret)
        history.register(StaticDevice, exclude_fields=secret)
        audit.connect_signals()

        from django.contrib.auth.signals import user_logged_in

        from villages.middleware import session_started

        user_logged_in.connect(session_started, dispatch_uid="account-session-started")
