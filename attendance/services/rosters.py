"""Rosters: the rotation, dated overrides, and the materialised duty slots."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from attendance.core import schedule
from attendance.models import (
    DutyRules,
    DutySlot,
    RosterOverride,
    RotationEntry,
)
from attendance.models.rosters import Part
from attendance.selectors import HORIZON_DAYS, schedule_compute
from attendance.services import pagecache
from jinhu.core import clock
from jinhu.core.history import audit_actor
from villages.selectors import Cadre, Village


# ---------------------------------------------------------------------------
# Materialising slots
# ---------------------------------------------------------------------------
def public_cache_bump(village: Village) -> None:
    """Invalidate the cached public pages of a village (roster or absences changed)."""
    pagecache.bump(village.code)


@transaction.atomic
def slots_materialize(
    *,
    village: Village,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
    include_started: bool = False,
) -> dict[str, int]:
    """Bring DutySlot rows for [start, end] in line with the computed schedule.

    Slots that have already started are history and are left alone unless
    ``include_started`` (a staff correction). Running it twice changes nothing.
    """
    now = now or clock.now()
    wanted = {s.key: s for s in schedule_compute(village, start, end)}
    existing = {
        (s.day, s.part, s.cadre_id): s
        for s in DutySlot.objects.filter(village=village, day__gte=start, day__lte=end)
    }
    created = updated = deleted = 0
    stale = [
        slot.pk
        for key, slot in existing.items()
        if key not in wanted and (include_started or slot.starts_at > now)
    ]
    if stale:
        deleted, _details = DutySlot.objects.filter(pk__in=stale).delete()
    new_rows = []
    for key, slot in wanted.items():
        row = existing.get(key)
        if row is None:
            if include_started or slot.starts_at > now:
                new_rows.append(
                    DutySlot(
                        village=village,
                        cadre_id=slot.cadre_id,
                        day=slot.day,
                        part=slot.part,
                        kind=slot.kind,
                        starts_at=slot.starts_at,
                        ends_at=slot.ends_at,
                        override_id=slot.override_id,
                    )
                )
            continue
        if not include_started and row.starts_at <= now:
            continue
        changes = {
            "kind": slot.kind,
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "override_id": slot.override_id,
        }
        if any(getattr(row, field) != value for field, value in changes.items()):
            for field, value in changes.items():
                setattr(row, field, value)
            row.save(update_fields=list(changes))
            updated += 1
    DutySlot.objects.bulk_create(new_rows, ignore_conflicts=True)
    created = len(new_rows)
    if created or updated or deleted:
        transaction.on_commit(lambda: public_cache_bump(village))
    return {"created": created, "updated": updated, "deleted": deleted}


def slots_extend_horizon(*, today: dt.date | None = None) -> int:
    """Keep every active village's slots materialised HORIZON_DAYS ahead."""
    today = today or clock.today()
    total = 0
    for village in Village.objects.active():
        result = slots_materialize(
            village=village, start=today, end=today + dt.timedelta(days=HORIZON_DAYS)
        )
        total += result["created"]
    return total


# ---------------------------------------------------------------------------
# Changing the rotation and the schedule
# ---------------------------------------------------------------------------
def _check_roster_permission(actor: User, village: Village) -> None:
    if not actor.has_perm("attendance.manage_roster", village):
        raise PermissionDenied(_("您无权调整该村的排班。"))


@transaction.atomic
def duty_rules_save(*, actor: User, rules: DutyRules) -> DutyRules:
    """Save a village's duty rules (office hours by season, grace minutes, the minimum on
    duty). Slots from today on are materialised again with the new hours and the public
    page follows; verdicts already given stay as judged under the rules then in force."""
    _check_roster_permission(actor, rules.village)
    rules.full_clean()
    with audit_actor(actor):
        rules.save()
    today = clock.today()
    slots_materialize(
        village=rules.village, start=today, end=today + dt.timedelta(days=HORIZON_DAYS)
    )
    public_cache_bump(rules.village)
    return rules


def _check_cadres(village: Village, cadres: Iterable[Cadre | None]) -> None:
    for cadre in cadres:
        if cadre is not None and (cadre.village_id != village.pk or not cadre.is_active):
            raise ValidationError(_("%(name)s 不是本村在职干部。") % {"name": cadre.name})


@transaction.atomic
def rotation_set(
    *,
    actor: User,
    village: Village,
    weekday: int,
    part: str,
    kind: str = schedule.SIT_IN,
    cadres: list[Cadre],
    effective_from: dt.date,
) -> list[RotationEntry]:
    """Who sits on ``weekday``/``part`` from ``effective_from`` on.

    The past is never rewritten: open entries are closed the day before and
    replaced; entries that had not started yet are replaced outright.
    """
    _check_roster_permission(actor, village)
    _check_cadres(village, cadres)
    if effective_from < clock.today():
        raise ValidationError(_("轮值安排只能从今天或以后生效；过去的排班请用事后更正。"))
    same_slot = RotationEntry.objects.filter(village=village, weekday=weekday, part=part, kind=kind)
    with audit_actor(actor):
        for entry in same_slot.filter(valid_from__gte=effective_from):
            entry.delete()
        for entry in same_slot.filter(valid_from__lt=effective_from).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=effective_from)
        ):
            entry.valid_until = effective_from - dt.timedelta(days=1)
            entry.save(update_fields=["valid_until"])
        created = []
        for cadre in cadres:
            entry = RotationEntry(
                village=village,
                cadre=cadre,
                weekday=weekday,
                part=part,
                kind=kind,
                valid_from=effective_from,
            )
            entry.full_clean()
            entry.save()
            created.append(entry)
    slots_materialize(
        village=village,
        start=effective_from,
        end=max(effective_from, clock.today()) + dt.timedelta(days=HORIZON_DAYS),
    )
    return created


def _parts_of(village: Village, day: dt.date, cadre: Cadre) -> set[str]:
    """The parts (上午, 下午, 全天) ``cadre`` is on duty on ``day``."""
    return {s.part for s in schedule_compute(village, day, day) if s.cadre_id == cadre.pk}


def _on_duty(village: Village, day: dt.date, part: str) -> set[int]:
    return {s.cadre_id for s in schedule_compute(village, day, day) if s.part == part}


@transaction.atomic
def override_create(
    *,
    actor: User,
    village: Village,
    day: dt.date,
    part: str,
    original: Cadre | None,
    replacement: Cadre | None,
    reason: str,
    correction: bool = False,
    swap_group: uuid.UUID | None = None,
) -> RosterOverride:
    """A dated change to the schedule, approved by ``actor`` (secretary or staff).

    Past dates are locked: changing one is a correction, which only staff may
    make, and which is marked and logged.
    """
    _check_roster_permission(actor, village)
    _check_cadres(village, [original, replacement])
    if day < clock.today():
        if not correction:
            raise ValidationError(_("过去的排班已锁定；如需更正请由街道工作人员办理事后更正。"))
        if not actor.has_perm("attendance.correct_past_roster", village):
            raise PermissionDenied(_("只有街道工作人员可以更正过去的排班。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写调整原因。")})
    on_duty = _on_duty(village, day, part)
    if original is not None and original.pk not in on_duty:
        raise ValidationError(
            _("%(name)s 在 %(day)s 该时段没有排班。") % {"name": original.name, "day": day}
        )
    if replacement is not None and replacement.pk in on_duty:
        raise ValidationError(
            _("%(name)s 在 %(day)s 该时段已在班。") % {"name": replacement.name, "day": day}
        )
    override = RosterOverride(
        village=village,
        day=day,
        part=part,
        original_cadre=original,
        replacement_cadre=replacement,
        reason=reason.strip(),
        is_correction=day < clock.today(),
        requested_by=actor,
        approved_by=actor,
        swap_group=swap_group,
    )
    override.full_clean()
    with audit_actor(actor):
        override.save()
    # The override names this very day, so it applies even to a slot that has
    # started (a stand-in arriving mid-morning); past days were refused above.
    slots_materialize(village=village, start=day, end=day, include_started=True)
    return override


@transaction.atomic
def days_swap(
    *,
    actor: User,
    village: Village,
    first_day: dt.date,
    first_cadre: Cadre,
    second_day: dt.date,
    second_cadre: Cadre,
    part: str,
    reason: str,
) -> tuple[RosterOverride, RosterOverride]:
    """Two cadres trade duty days: each stands in on the other's day. With no ``part``,
    the part each is on duty that day (the same on both days, or the swap is refused in
    words: which part each has)."""
    if first_cadre.pk == second_cadre.pk:
        raise ValidationError(_("换班的两名干部不能是同一人。"))
    if not part:
        first_parts = _parts_of(village, first_day, first_cadre)
        second_parts = _parts_of(village, second_day, second_cadre)
        for cadre, day, parts in (
            (first_cadre, first_day, first_parts),
            (second_cadre, second_day, second_parts),
        ):
            if not parts:
                raise ValidationError(
                    _("%(name)s 在 %(day)s 没有排班。") % {"name": cadre.name, "day": day}
                )
        common = first_parts & second_parts
        if len(common) != 1:
            labels = dict(Part.choices)
            raise ValidationError(
                _("两天的时段不同（%(a)s：%(pa)s；%(b)s：%(pb)s），请选择要交换的时段。")
                % {
                    "a": first_cadre.name,
                    "pa": "、".join(str(labels[p]) for p in sorted(first_parts)),
                    "b": second_cadre.name,
                    "pb": "、".join(str(labels[p]) for p in sorted(second_parts)),
                }
            )
        part = common.pop()
    group = uuid.uuid4()
    first = override_create(
        actor=actor,
        village=village,
        day=first_day,
        part=part,
        original=first_cadre,
        replacement=second_cadre,
        reason=reason,
        swap_group=group,
    )
    second = override_create(
        actor=actor,
        village=village,
        day=second_day,
        part=part,
        original=second_cadre,
        replacement=first_cadre,
        reason=reason,
        swap_group=group,
    )
    return first, second
