"""Attendance outcomes per duty slot, recomputed from source rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.core import judging
from attendance.models import (
    AbsenceReport,
    Device,
    DeviceEvent,
    DutySlot,
    OutcomeCorrection,
    OutcomeState,
    PendingJudgement,
    Punch,
    SlotOutcome,
)
from attendance.models.devices import DeviceKind, DeviceStatus
from attendance.selectors import duty_rules_for
from attendance.services import liveness
from attendance.services.tallies import tallies_refresh
from jinhu.core import clock, queue
from jinhu.core.history import audit_actor
from jinhu.core.perms import rule_allows
from villages.selectors import Village

OUTCOME_FIELDS = (
    "state",
    "arrived_at",
    "left_at",
    "biometric",
    "corroborated",
    "punch_count",
    "note",
    "manual",
)


def outcomes_judge(
    village: Village, days: list[dt.date], *, now: dt.datetime | None = None
) -> dict[str, int]:
    """(Re)judge every sit-in slot of ``village`` on ``days``. Idempotent."""
    now = now or clock.now()
    slots = list(
        DutySlot.objects.filter(village=village, day__in=days, kind="sit_in").select_related(
            "outcome"
        )
    )
    if not slots:
        return {"judged": 0, "changed": 0}
    rules = duty_rules_for(village)
    start = min(s.starts_at for s in slots) - judging.ARRIVAL_WINDOW
    end = max(s.ends_at for s in slots) + judging.DEPARTURE_WINDOW
    punches: dict[int, list[judging.PunchFact]] = defaultdict(list)
    for cadre_id, at, bio in (
        Punch.objects.countable()
        .filter(cadre__in={s.cadre_id for s in slots}, punched_at__gte=start, punched_at__lte=end)
        .values_list("cadre_id", "punched_at", "is_biometric")
    ):
        punches[cadre_id].append(judging.PunchFact(at, bio))
    absences = list(
        AbsenceReport.objects.approved()
        .filter(village=village)
        .covering(start, end)
        .values_list("cadre_id", "starts_at", "ends_at")
    )
    devices = list(
        Device.objects.filter(
            village=village,
            status=DeviceStatus.ACTIVE,
            kind__in=(DeviceKind.ZK_CLOCK, DeviceKind.HIK_TERMINAL),
        )
    )
    seen = tuple(liveness.last_seen(devices).values())
    cameras = list(
        DeviceEvent.objects.filter(
            device__village=village,
            kind=DeviceEvent.Kind.CAMERA,
            occurred_at__gte=start,
            occurred_at__lte=end,
        ).values_list("occurred_at", flat=True)
    )
    corrections = {}
    for slot_id, state in (
        OutcomeCorrection.objects.filter(slot__in=slots, status=OutcomeCorrection.Status.APPROVED)
        .order_by("decided_at", "created_at", "pk")
        .values_list("slot_id", "state")
    ):
        corrections[slot_id] = state  # the latest correction wins
    late = dt.timedelta(minutes=rules.late_grace_minutes)
    early = dt.timedelta(minutes=rules.early_grace_minutes)
    to_create, to_update = [], []
    for slot in slots:
        verdict = judging.judge(
            judging.SlotFacts(
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                punches=tuple(punches.get(slot.cadre_id, ())),
                late_grace=late,
                early_grace=early,
                now=now,
                devices_last_seen=seen,
                excused=any(
                    c == slot.cadre_id and s < slot.ends_at and e > slot.starts_at
                    for c, s, e in absences
                ),
                correction=corrections.get(slot.pk),
                camera_activity=any(
                    t is not None and slot.starts_at <= t <= slot.ends_at for t in cameras
                ),
            )
        )
        values = {f: getattr(verdict, f) for f in OUTCOME_FIELDS}
        existing = getattr(slot, "outcome", None)
        if existing is None:
            to_create.append(
                SlotOutcome(
                    slot=slot,
                    village_id=slot.village_id,
                    cadre_id=slot.cadre_id,
                    day=slot.day,
                    judged_at=now,
                    **values,
                )
            )
        elif any(getattr(existing, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(existing, f, v)
            existing.judged_at = now
            to_update.append(existing)
    SlotOutcome.objects.bulk_create(to_create, ignore_conflicts=True)
    SlotOutcome.objects.bulk_update(to_update, [*OUTCOME_FIELDS, "judged_at"])
    if to_create or to_update:
        tallies_refresh(start=min(days), end=max(days), village_ids=[village.pk], now=now)
    return {"judged": len(slots), "changed": len(to_create) + len(to_update)}


def outcomes_judge_recent(*, days_back: int = 2, now: dt.datetime | None = None) -> int:
    """Periodic: judge recent days everywhere, so slots leave "pending" as time passes."""
    now = now or clock.now()
    today = clock.local_date(now)
    days = [today - dt.timedelta(days=n) for n in range(days_back + 1)]
    total = 0
    for village in Village.objects.active():
        total += outcomes_judge(village, days, now=now)["changed"]
    return total


@transaction.atomic
def correction_request(
    *, actor: User, slot: DutySlot, state: str, reason: str
) -> OutcomeCorrection:
    """Ask for a slot's outcome to be corrected; it counts once another person approves."""
    if state not in OutcomeState.values or state in (OutcomeState.PENDING, OutcomeState.UNKNOWN):
        raise ValidationError({"state": _("请选择有效的更正结果。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写更正原因。")})
    slot = DutySlot.objects.select_for_update().get(pk=slot.pk)
    if slot.ends_at > clock.now():
        raise ValidationError(_("该时段尚未结束，不能更正。"))
    if not actor.has_perm("attendance.request_correction", slot):
        raise PermissionDenied(_("您无权更正该村的考勤。"))
    if slot.corrections.filter(status=OutcomeCorrection.Status.PENDING).exists():
        raise ValidationError(_("该时段已有一项待批准的更正，请等待批准或驳回后再申请。"))
    with audit_actor(actor):
        return OutcomeCorrection.objects.create(
            slot=slot, state=state, reason=reason.strip(), requested_by=actor
        )


@transaction.atomic
def correction_decide(
    *, actor: User, correction: OutcomeCorrection, approve: bool, comment: str = ""
) -> OutcomeCorrection:
    """Approve (the slot is judged again, marked manual for good) or reject, by staff
    other than the person who asked."""
    correction = OutcomeCorrection.objects.select_for_update().get(pk=correction.pk)
    if correction.status != OutcomeCorrection.Status.PENDING:
        raise ValidationError(_("该更正已处理（%(s)s）。") % {"s": correction.get_status_display()})
    if correction.requested_by_id == actor.pk:
        raise PermissionDenied(_("申请人不能批准自己的更正：须由另一位街道工作人员批准。"))
    if not rule_allows("attendance.decide_correction", actor, correction):
        raise PermissionDenied(_("考勤更正须由街道工作人员批准。"))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("驳回时请填写意见。")})
    correction.status = (
        OutcomeCorrection.Status.APPROVED if approve else OutcomeCorrection.Status.REJECTED
    )
    correction.approved_by, correction.decided_at = actor, clock.now()
    correction.comment = comment.strip()
    with audit_actor(actor):
        correction.save(update_fields=["status", "approved_by", "decided_at", "comment"])
    if approve:
        slot = correction.slot
        outcomes_judge(slot.village, [slot.day])
    return correction


def absence_days(report: AbsenceReport) -> list[dt.date]:
    first = timezone.localtime(report.starts_at).date()
    last = timezone.localtime(report.ends_at).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


# ---------------------------------------------------------------------------
# Judging again: marks in the database, tasks coalesced
# ---------------------------------------------------------------------------
_MARK_SQL = (
    "INSERT INTO attendance_pendingjudgement (village_id, day, version, marked_at) "
    "VALUES {values} ON CONFLICT (village_id, day) "
    "DO UPDATE SET version = attendance_pendingjudgement.version + 1, marked_at = %s"
)


def outcomes_judge_later(village_id: int, days: Iterable[dt.date | str]) -> None:
    """Mark village-days for judging, in the caller's transaction; queue a judge on commit."""
    outcomes_mark({village_id: days})


def outcomes_mark(days_by_village: Mapping[int, Iterable[dt.date | str]]) -> None:
    """Mark village-days for judging, in the caller's transaction; queue one judge per village.

    The marks are rows (``PendingJudgement``), written with the punches, leave or
    corrections that make the days stale, so they survive a Redis restart and a
    killed worker. A backlog of two thousand uploads for one village marks the same
    days two thousand times but queues one task: the queue coalesces per village, and
    the task judges every day marked when it runs. One statement, rows in key order:
    two transactions marking the same days wait for each other instead of deadlocking.
    """
    rows = sorted(
        {
            (village_id, d if isinstance(d, dt.date) else dt.date.fromisoformat(d))
            for village_id, days in days_by_village.items()
            for d in days
        }
    )
    if not rows:
        return
    now = clock.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_SQL.format(values=", ".join(["(%s, %s, 1, %s)"] * len(rows))),
            [v for village_id, day in rows for v in (village_id, day, now)] + [now],
        )
    for village_id in sorted({village_id for village_id, _day in rows}):
        queue.enqueue_on_commit(
            "attendance.outcomes_judge_pending",
            village_id,
            coalesce=f"judge:{village_id}",
            ttl=600,
        )


def outcomes_judge_pending(village_id: int) -> dict[str, Any] | None:
    """Judge every day marked for the village; remove only the marks it has seen.

    A mark set again while judging (its ``version`` moved) stays, and its own task
    judges it again: a punch committed during this run is never left unjudged.
    """
    marks = list(
        PendingJudgement.objects.filter(village_id=village_id).values_list("day", "version")
    )
    if not marks:
        return None
    village = Village.objects.filter(pk=village_id).first()
    if village is None:  # deleted since: nothing left to judge
        PendingJudgement.objects.filter(village_id=village_id).delete()
        return None
    result = outcomes_judge(village, [day for day, _version in marks])
    seen = Q()
    for day, version in marks:
        seen |= Q(day=day, version=version)
    PendingJudgement.objects.filter(seen, village_id=village_id).delete()
    return result


def outcomes_judge_pending_all(*, marked_before: dt.datetime) -> int:
    """The sweep: villages whose marks no task has taken (a lost task, Redis down)."""
    villages = list(
        PendingJudgement.objects.filter(marked_at__lt=marked_before)
        .values_list("village_id", flat=True)
        .distinct()
    )
    for village_id in villages:
        outcomes_judge_pending(village_id)
    return len(villages)
