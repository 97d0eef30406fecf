"""Read models for the duty pages: the public roster and the coverage report.

Each function does a fixed number of queries whatever the roster size (the
public page is pinned by a test).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from attendance.core import workdays
from attendance.models import AbsenceReport, DutySlot
from attendance.models.absences import AbsenceKind
from attendance.services.rosters import day_info_for, duty_rules_for, schedule_compute
from jinhu.core import clock
from villages.models import CadrePosition, Village


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


@dataclass
class DayRow:
    day: dt.date
    info: workdays.DayInfo
    slots: list = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.day == clock.today()


@dataclass(frozen=True)
class PublicAbsence:
    name: str
    kind: str  # 请假 / 外出办事
    returns_at: dt.datetime


@dataclass
class PublicRoster:
    village: Village
    today: dt.date
    days: list[DayRow]
    today_duty: list[dict]
    absences: list
    hours: object
    rules: object
    unconfirmed_year: bool


def public_roster(village: Village, today: dt.date | None = None) -> PublicRoster:
    """Everything the public page shows; no private field is ever loaded."""
    today = today or clock.today()
    start, end = week_of(today)
    rules = duty_rules_for(village)
    day_info = day_info_for(village, start, end)
    slots = list(
        DutySlot.objects.filter(village=village, day__gte=start, day__lte=end)
        .select_related("cadre")
        .only(
            "day",
            "part",
            "kind",
            "starts_at",
            "ends_at",
            "cadre__name",
            "cadre__photo",
            "cadre__id",
            "cadre__village_id",
        )
        .order_by("day", "starts_at", "cadre__name")
    )
    rows = {d: DayRow(d, day_info(d)) for d in (start + dt.timedelta(n) for n in range(7))}
    for slot in slots:
        rows[slot.day].slots.append(slot)
    now = clock.now()
    # Residents see who is away, which kind of absence and when they are back: never
    # where they went or why (those fields are not even read).
    away = (
        AbsenceReport.objects.approved()
        .filter(village=village, ends_at__gt=now, starts_at__lt=now + dt.timedelta(days=7))
        .order_by("starts_at")
        .values_list("cadre__name", "kind", "ends_at")
    )
    absences = [
        PublicAbsence(name=name, kind=str(AbsenceKind(kind).label), returns_at=returns)
        for name, kind, returns in away
    ]
    cadre_ids = {s.cadre_id for s in slots}
    titles: dict[int, list[str]] = defaultdict(list)
    for cadre_id, title in (
        CadrePosition.objects.current(today)
        .filter(cadre_id__in=cadre_ids)
        .order_by("title")
        .values_list("cadre_id", "title")
    ):
        titles[cadre_id].append(str(CadrePosition.Title(title).label))
    return PublicRoster(
        village=village,
        today=today,
        days=list(rows.values()),
        today_duty=[
            {"slot": slot, "title": "、".join(titles.get(slot.cadre_id, ()))}
            for slot in rows[today].slots
        ],
        absences=absences,
        hours=rules.as_input().hours_on(today),
        rules=rules,
        unconfirmed_year=not workdays.year_is_covered(today.year),
    )


@dataclass
class CoverageDay:
    day: dt.date
    info: workdays.DayInfo
    cadres: int
    minimum: int

    @property
    def short(self) -> bool:
        return self.info.is_workday and self.cadres < self.minimum


def coverage(village: Village, start: dt.date, end: dt.date):
    """Workdays below the village's minimum, and each cadre's share of duty."""
    slots = [s for s in schedule_compute(village, start, end) if s.kind == "sit_in"]
    minimum = duty_rules_for(village).min_on_duty
    day_info = day_info_for(village, start, end)
    per_day: dict[dt.date, set[int]] = defaultdict(set)
    per_cadre: dict[int, int] = defaultdict(int)
    for slot in slots:
        per_day[slot.day].add(slot.cadre_id)
        per_cadre[slot.cadre_id] += 2 if slot.part == "full" else 1
    days = []
    day = start
    while day <= end:
        info = day_info(day)
        if info.is_workday:
            days.append(CoverageDay(day, info, len(per_day.get(day, ())), minimum))
        day += dt.timedelta(days=1)
    total = sum(per_cadre.values()) or 1
    cadres = {c.pk: c for c in village.cadres.filter(is_active=True)}
    shares = sorted(
        (
            {"cadre": cadres.get(cid), "half_days": n, "share": n * 100 / total}
            for cid, n in per_cadre.items()
        ),
        key=lambda row: -row["half_days"],
    )
    for cadre in cadres.values():
        if cadre.pk not in per_cadre:
            shares.append({"cadre": cadre, "half_days": 0, "share": 0})
    return days, shares


def dutylog_totals_by_village(entries):
    """Totals per village from a scoped DutyLogEntry queryset (one query)."""
    from django.db.models import Q, Sum

    return (
        entries.values("village__code", "village__name")
        .annotate(
            visitors=Sum("people_count"),
            matters=Count("pk", filter=Q(kind="matter")),
            disputes=Count("pk", filter=Q(kind="dispute")),
        )
        .order_by("village__sort_order")
    )


def serial_gaps(device, *, since=None, limit: int = 20) -> list[tuple[int, int]]:
    """Missing Hikvision ``serialNo`` ranges: events the device numbered but we never got.

    A gap may be events not yet replayed (``httpBroken`` resends them later),
    or lost ones to fetch back with an AcsEvent search from the LAN.
    """
    from itertools import chain

    from attendance.models import DeviceEvent, Punch

    since = since or clock.now() - dt.timedelta(days=7)
    serials = sorted(
        set(
            chain(
                Punch.objects.filter(
                    device=device, record_id__isnull=False, received_at__gte=since
                ).values_list("record_id", flat=True),
                DeviceEvent.objects.filter(
                    device=device, record_id__isnull=False, request__received_at__gte=since
                ).values_list("record_id", flat=True),
            )
        )
    )
    gaps = [(a + 1, b - 1) for a, b in itertools.pairwise(serials) if b - a > 1]
    return gaps[-limit:]
