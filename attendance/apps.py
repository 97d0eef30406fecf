from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("坐班值班与考勤")

    def ready(self) -> None:
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
