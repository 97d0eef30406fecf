"""Attendance models, split by concern (each module stays small).

- ``rosters``: duty rules, weekly rotation, dated overrides, holidays, duty slots
- ``absences``: leave and out-on-business reports and their tiered approval
- ``dutylog``: the duty log (visitors, matters, disputes) and handovers
- ``patrols``: central patrol spot-checks and their findings
- ``devices``: the device registry, PIN mappings, commands sent to clocks, reconciliation
- ``ingest``: what devices send (raw requests) and what it became (punches,
  quarantined lines, device events)
- ``outcomes``: the verdict on each duty slot, corrections, monthly tallies
"""

from attendance.models.absences import AbsenceApproval, AbsenceReport, ApprovalTier
from attendance.models.devices import (
    CommandState,
    Device,
    DeviceCommand,
    DeviceKind,
    DeviceStatus,
    PinMapping,
    Reconciliation,
)
from attendance.models.dutylog import DutyHandover, DutyLogEntry
from attendance.models.ingest import (
    PARSED_KINDS,
    DeviceEvent,
    DeviceRequest,
    Protocol,
    Punch,
    PunchSource,
    QuarantinedLine,
    RequestStatus,
)
from attendance.models.outcomes import (
    COMPLIANT_STATES,
    JUDGED_STATES,
    DutyPromise,
    DutyTally,
    OutcomeCorrection,
    OutcomeState,
    PendingJudgement,
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
    "COMPLIANT_STATES",
    "JUDGED_STATES",
    "PARSED_KINDS",
    "AbsenceApproval",
    "AbsenceReport",
    "ApprovalTier",
    "CommandState",
    "Device",
    "DeviceCommand",
    "DeviceEvent",
    "DeviceKind",
    "DeviceRequest",
    "DeviceStatus",
    "DutyHandover",
    "DutyLogEntry",
    "DutyPromise",
    "DutyRules",
    "DutySlot",
    "DutyTally",
    "HolidayArrangement",
    "HolidayOverride",
    "OutcomeCorrection",
    "OutcomeState",
    "PatrolCheck",
    "PatrolFinding",
    "PendingJudgement",
    "PinMapping",
    "Protocol",
    "Punch",
    "PunchSource",
    "QuarantinedLine",
    "Reconciliation",
    "RequestStatus",
    "RosterOverride",
    "RotationEntry",
    "SlotOutcome",
]
