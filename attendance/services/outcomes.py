"""Attendance outcomes per duty slot, recomputed from source rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import judging, liveness
from attendance.models import (
    AbsenceReport,
    Device,
    DeviceEvent,
    DutySlot,
    OutcomeCorrection,
    Punch,
    SlotOutcome,
)
from attendance.models.devices import DeviceKind, DeviceStatus
from attendance.models.ingest import COMPLIANT_STATES, JUDGED_STATES, OutcomeState
from attendance.services.rosters import duty_rules_for
from attendance.services.tallies import tallies_refresh
from jinhu.core import clock
from jinhu.redis_client import redis_client
from villages.models import Village
from villages.roles import sees_all_villages
from villages.services import audit_actor

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
        OutcomeCorrection.objects.filter(slot__in=slots)
        .order_by("created_at")
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
                camera_activity=any(slot.starts_at <= t <= slot.ends_at for t in cameras),
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
def outcome_correct(*, actor, slot: DutySlot, state: str, reason: str, approver) -> SlotOutcome:
    """A manual correction: a reason, an approver (staff), and a permanent mark."""
    if state not in OutcomeState.values or state in (OutcomeState.PENDING, OutcomeState.UNKNOWN):
        raise ValidationError(_("请选择有效的更正结果。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写更正原因。")})
    if not actor.has_perm("attendance.manage_roster", slot) and not sees_all_villages(actor):
        raise PermissionDenied(_("您无权更正该村的考勤。"))
    if not sees_all_villages(approver):
        raise PermissionDenied(_("考勤更正须由街道工作人员批准。"))
    with audit_actor(actor):
        OutcomeCorrection.objects.create(
            slot=slot, state=state, reason=reason.strip(), requested_by=actor, approved_by=approver
        )
    outcomes_judge(slot.village, [slot.day])
    return SlotOutcome.objects.get(slot=slot)


def monthly_compliance(outcomes, start: dt.date, end: dt.date) -> dict:
    """Counts by state and the compliance rate over judged slots (pending/unknown excluded)."""
    from django.db.models import Count

    rows = dict(
        outcomes.filter(day__gte=start, day__lte=end)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return compliance_of(rows)


def compliance_by(outcomes, key: str, start: dt.date, end: dt.date) -> dict:
    """``monthly_compliance`` for every value of ``key`` (village, cadre) in one query."""
    from django.db.models import Count

    counts: dict = defaultdict(dict)
    for value, state, n in (
        outcomes.filter(day__gte=start, day__lte=end)
        .order_by()
        .values_list(key, "state")
        .annotate(n=Count("pk"))
    ):
        counts[value][state] = n
    return {value: compliance_of(rows) for value, rows in counts.items()}


def compliance_of(rows: dict[str, int]) -> dict:
    judged = sum(rows.get(s, 0) for s in JUDGED_STATES)
    compliant = sum(rows.get(s, 0) for s in COMPLIANT_STATES)
    return {
        "counts": rows,
        "judged": judged,
        "compliant": compliant,
        "rate": round(compliant * 100 / judged, 1) if judged else None,
    }


def absence_days(report: AbsenceReport) -> list[dt.date]:
    first = timezone.localtime(report.starts_at).date()
    last = timezone.localtime(report.ends_at).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


# ---------------------------------------------------------------------------
# Queueing re-judgement, coalesced
# ---------------------------------------------------------------------------


def outcomes_judge_later(village_id: int, days) -> None:
    """Queue the re-judging of village-days once the transaction commits.

    A backlog of two thousand uploads for one village would otherwise queue two
    thousand judging tasks for the same days. With Redis, the days are added to
    the village's "dirty" set and at most one task per village is waiting at a
    time; it judges every day marked when it runs (late marks queue another).
    """
    from django.conf import settings
    from django.db import transaction

    days = sorted({d if isinstance(d, str) else d.isoformat() for d in days})
    if not days:
        return

    def queue() -> None:
        from attendance.tasks import outcomes_judge, outcomes_judge_dirty
        from jinhu.celery import app

        if not settings.REDIS_URL or app.conf.task_always_eager:
            outcomes_judge.delay(village_id, days)
            return
        client = redis_client()
        client.sadd(f"judge-dirty:{village_id}", *days)
        if client.set(f"judge-queued:{village_id}", 1, nx=True, ex=600):
            outcomes_judge_dirty.delay(village_id)

    transaction.on_commit(queue)


def outcomes_judge_dirty(village_id: int) -> dict | None:
    """Judge every day marked dirty for the village (the coalesced task's body)."""
    client = redis_client()
    client.delete(f"judge-queued:{village_id}")  # marks from now on queue a new task
    key = f"judge-dirty:{village_id}"
    marked = [d.decode() for d in client.smembers(key)]
    village = Village.objects.filter(pk=village_id).first()
    if village is None or not marked:
        return None
    result = outcomes_judge(village, [dt.date.fromisoformat(d) for d in marked])
    client.srem(key, *marked)  # only after judging: a crash leaves them marked
    return result
