"""Attendance models, split by concern (each module stays small)."""

from attendance.models.absences import AbsenceApproval, AbsenceReport, ApprovalTier
from attendance.models.devices import Device
from attendance.models.dutylog import DutyHandover, DutyLogEntry
from attendance.models.ingest import (
    DeviceCommand,
    DeviceEvent,
    DeviceRequest,
    DutyTally,
    OutcomeCorrection,
    PinMapping,
    Punch,
    QuarantinedLine,
    Reconciliation,
    SlotOutcome,
)
from attendance.models.patrols import PatrolCheck, PatrolFinding
from attendance.models.rosters import (
    DutyRules,
    DutySlot,
    HolidayArrangement,
    HolidayOverride,
    RosterOverride,
    RotationEntry,
)

__all__ = [
    "AbsenceApproval",
    "AbsenceReport",
    "ApprovalTier",
    "Device",
    "DeviceCommand",
    "DeviceEvent",
    "DeviceRequest",
    "DutyHandover",
    "DutyLogEntry",
    "DutyRules",
    "DutySlot",
    "DutyTally",
    "HolidayArrangement",
    "HolidayOverride",
    "OutcomeCorrection",
    "PatrolCheck",
    "PatrolFinding",
    "PinMapping",
    "Punch",
    "QuarantinedLine",
    "Reconciliation",
    "RosterOverride",
    "RotationEntry",
    "SlotOutcome",
]
