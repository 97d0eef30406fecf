from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _

from jinhu.core.addresses import is_local_only


def public_base_url_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """The duty posters' QR codes carry JINHU_PUBLIC_BASE_URL: with DEBUG off it must be
    an address residents' phones can open, not this machine's loopback."""
    url = settings.JINHU_PUBLIC_BASE_URL
    if settings.DEBUG or not is_local_only(url):
        return []
    return [
        checks.Error(
            f"JINHU_PUBLIC_BASE_URL 为“{url or '（未设置）'}”，群众扫描值班表二维码将无法打开。",
            hint="设置为群众手机能访问的门户地址，例如 https://portal.jinhu.example",
            id="attendance.E001",
        )
    ]


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("坐班值班与考勤")

    def ready(self) -> None:
        checks.register(public_base_url_check)

        from attendance import models as m
        from jinhu.core import history

        # People edit these; machine tables (slots, punches, raw requests) are
        # derived or append-only and stay out of the change history.
        for model in (
            m.DutyRules,
            m.HolidayOverride,
            m.HolidayArrangement,
            m.RotationEntry,
            m.RosterOverride,
            m.ApprovalTier,
            m.AbsenceReport,
            m.AbsenceApproval,
            m.DutyLogEntry,
            m.DutyHandover,
            m.PatrolCheck,
            m.PatrolFinding,
            m.Device,
            m.DeviceCommand,
            m.OutcomeCorrection,
        ):
            history.register(model)
        history.register(m.AbsenceApproval, village="report__village")
        # A PIN handed to a cadre re-credits punches: who mapped it, and when.
        history.register(m.PinMapping, village="device__village")
