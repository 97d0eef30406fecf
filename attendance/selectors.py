"""Read models for the duty pages: the public roster and the coverage report.

Each function does a fixed number of queries whatever the roster size (the
public page is pinned by a test).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, Exists, F, Min, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth

from attendance.core import promise as promise_rule
from attendance.core import schedule, workdays
from attendance.models import (
    COMPLIANT_STATES,
    JUDGED_STATES,
    AbsenceReport,
    Device,
    DeviceRequest,
    DeviceStatus,
    DutyLogEntry,
    DutyPromise,
    DutyRules,
    DutySlot,
    DutyTally,
    HolidayArrangement,
    HolidayOverride,
    OutcomeState,
    PatrolFinding,
    QuarantinedLine,
    RosterOverride,
    RotationEntry,
    SlotOutcome,
)
from attendance.models.absences import AbsenceKind
from attendance.services.liveness import last_seen
from jinhu.core import clock
from jinhu.core.periods import year_bounds
from villages.selectors import CadrePosition, Village

#: how far ahead duty slots are kept materialised (extended nightly)
HORIZON_DAYS = 56


# ---------------------------------------------------------------------------
# Reading the inputs
# ---------------------------------------------------------------------------
def duty_rules_for(village: Village) -> DutyRules:
    """The village's duty rules, or the defaults (unsaved) when it has never set any."""
    return DutyRules.objects.filter(village=village).first() or DutyRules(village=village)


def holiday_overrides(village: Village, start: dt.date, end: dt.date) -> dict:
    """{date: (is_workday, name)}; a village's own decision beats the sub-district's."""
    rows = HolidayOverride.objects.filter(
        Q(village=village) | Q(village__isnull=True), day__gte=start, day__lte=end
    ).order_by("village_id")  # NULLs (sub-district) first, village rows overwrite them
    decided: dict[dt.date, tuple[bool, str]] = {}
    for row in rows:
        if row.village_id is None and row.day in decided:
            continue
        decided[row.day] = (row.is_workday, row.name)
    return decided


def day_info_for(village: Village, start: dt.date, end: dt.date):
    decided = holiday_overrides(village, start, end)
    return lambda day: workdays.day_info(day, decided)


def schedule_compute(village: Village, start: dt.date, end: dt.date) -> list[schedule.Slot]:
    """The final schedule from rotation and overrides, straight from the source rows."""
    rotation = [
        e.as_input()
        for e in RotationEntry.objects.filter(village=village, valid_from__lte=end).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=start)
        )
    ]
    overrides = [
        o.as_input()
        for o in RosterOverride.objects.filter(
            village=village, day__gte=start, day__lte=end
        ).order_by("created_at", "pk")
    ]
    return schedule.compute_slots(
        start,
        end,
        rules=duty_rules_for(village).as_input(),
        rotation=rotation,
        overrides=overrides,
        day_info=day_info_for(village, start, end),
    )


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
    shares: list[dict[str, Any]] = [
        {"cadre": cadres.get(cid), "half_days": n, "share": n * 100 / total}
        for cid, n in sorted(per_cadre.items(), key=lambda item: -item[1])
    ]
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
    serials: list[int] = sorted(
        {
            serial
            for serial in chain(
                Punch.objects.filter(
                    device=device, record_id__isnull=False, received_at__gte=since
                ).values_list("record_id", flat=True),
                DeviceEvent.objects.filter(
                    device=device, record_id__isnull=False, request__received_at__gte=since
                ).values_list("record_id", flat=True),
            )
            if serial is not None
        }
    )
    gaps = [(a + 1, b - 1) for a, b in itertools.pairwise(serials) if b - a > 1]
    return gaps[-limit:]


# ---------------------------------------------------------------------------
# For the belt's scores and dashboards (``scope``: village ids, or a subquery of them)
# ---------------------------------------------------------------------------
def compliance_by_village_day(scope, start: dt.date, end: dt.date) -> list[tuple]:
    """(village id, day, judged slots, compliant slots) for every judged day, one query."""
    return list(
        SlotOutcome.objects.filter(
            village__in=scope, day__gte=start, day__lte=end, state__in=JUDGED_STATES
        )
        .values_list("village_id", "day")
        .annotate(judged=Count("pk"), compliant=Count("pk", filter=Q(state__in=COMPLIANT_STATES)))
    )


def dutylog_totals(scope, year: int) -> dict:
    """The duty log's totals (visitors, matters, disputes) over ``scope`` for ``year``."""
    return DutyLogEntry.objects.filter(village__in=scope, day__year=year).totals()


def duty_tallies(scope, year: int) -> QuerySet:
    """(village id, month, judged, compliant) per month, kept up to date by the judge."""
    return DutyTally.objects.filter(village_id__in=scope, year=year).values_list(
        "village_id", "month", "judged", "compliant"
    )


def service_by_month(scope, start: dt.date, end: dt.date) -> QuerySet:
    """(village id, month, visitors, matters, disputes) from the duty log, per month."""
    return (
        DutyLogEntry.objects.filter(village_id__in=scope, day__gte=start, day__lte=end)
        .annotate(m=ExtractMonth("day"))
        .values("village_id", "m")
        .annotate(
            v=Sum("people_count"),
            mt=Count("pk", filter=Q(kind="matter")),
            d=Count("pk", filter=Q(kind="dispute")),
        )
        .values_list("village_id", "m", "v", "mt", "d")
    )


def patrol_findings(scope, year: int) -> QuerySet:
    """(finding id, village id, day) of the year's patrol findings."""
    return PatrolFinding.objects.filter(village_id__in=scope, day__year=year).values_list(
        "pk", "village_id", "day"
    )


def tally_changed_after(*, village, year, after, month=None) -> Exists:
    """An ``Exists`` for "a duty tally of this village and year (and month) changed after
    ``after``": arguments are ``OuterRef``s of the caller's query (late attendance data
    makes a score stale; the duty system knows nothing of scores)."""
    changed = DutyTally.objects.filter(village_id=village, year=year, changed_at__gt=after)
    if month is not None:
        changed = changed.filter(month=month)
    return Exists(changed)


# ---------------------------------------------------------------------------
# The holiday calendar
# ---------------------------------------------------------------------------
def unconfirmed_years(years) -> list[int]:
    """Years neither the package covers nor staff confirmed (HolidayArrangement)."""
    missing = sorted({y for y in years if not workdays.year_is_covered(y)})
    if not missing:
        return []
    confirmed = set(
        HolidayArrangement.objects.filter(year__in=missing).values_list("year", flat=True)
    )
    return [y for y in missing if y not in confirmed]


def missing_next_year(today: dt.date) -> int | None:
    """From December: next year, if neither the package nor staff have its schedule."""
    if today.month != 12:
        return None
    year = today.year + 1
    return year if unconfirmed_years({year}) else None


# ---------------------------------------------------------------------------
# Compliance and the duty promise (坐班承诺)
# ---------------------------------------------------------------------------
def monthly_compliance(outcomes: Any, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Counts by state and the compliance rate over judged slots (pending/unknown excluded)."""
    rows = dict(
        outcomes.filter(day__gte=start, day__lte=end)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return compliance_of(rows)


def compliance_by(
    outcomes: Any, key: str, start: dt.date, end: dt.date
) -> dict[Any, dict[str, Any]]:
    """``monthly_compliance`` for every value of ``key`` (village, cadre) in one query."""
    counts: dict[str, Any] = defaultdict(dict)
    for value, state, n in (
        outcomes.filter(day__gte=start, day__lte=end)
        .order_by()
        .values_list(key, "state")
        .annotate(n=Count("pk"))
    ):
        counts[value][state] = n
    return {value: compliance_of(rows) for value, rows in counts.items()}


#: a cadre kept the duty promise (坐班承诺) for a period when at least this share of their
#: judged slots was on time or excused
PROMISE_KEPT_RATE = promise_rule.PROMISE_KEPT_RATE


@dataclass
class PromiseKept:
    """How many of the cadres with judged slots kept their duty promise (the article's
    "most cadres kept their duty promises", as a number), and each one's figures."""

    kept: int
    cadres: int
    #: {cadre id: compliance figures, with ``kept``}
    rates: dict[int, dict[str, Any]]
    threshold: int = PROMISE_KEPT_RATE


def promise_kept(outcomes: Any, start: dt.date, end: dt.date) -> PromiseKept:
    """Over ``outcomes`` (already scoped) between ``start`` and ``end``: the cadres with
    judged slots, and those at or above ``PROMISE_KEPT_RATE``. One query."""
    rates = {
        pk: {**row, "kept": promise_rule.kept(row["judged"], row["compliant"])}
        for pk, row in compliance_by(outcomes, "cadre_id", start, end).items()
        if row["judged"] and pk is not None
    }
    kept = sum(1 for row in rates.values() if row["kept"])
    return PromiseKept(kept=kept, cadres=len(rates), rates=rates)


def compliance_of(rows: dict[str, int]) -> dict[str, Any]:
    judged = sum(rows.get(s, 0) for s in JUDGED_STATES)
    compliant = sum(rows.get(s, 0) for s in COMPLIANT_STATES)
    return {
        "counts": rows,
        "judged": judged,
        "compliant": compliant,
        "rate": promise_rule.rate(judged, compliant),
    }


def promise_kept_in(villages: Any, start: dt.date, end: dt.date) -> PromiseKept:
    """``promise_kept`` over the slots of ``villages`` (for the belt's figures)."""
    return promise_kept(SlotOutcome.objects.filter(village__in=villages), start, end)


@dataclass(frozen=True)
class PromiseCount:
    """The headline "N of M cadres kept the duty promise", without the cadres behind it."""

    kept: int
    cadres: int
    threshold: int = PROMISE_KEPT_RATE


def promise_counts_in(villages: Any, year: int, today: dt.date) -> PromiseCount:
    """The year so far (judged slots up to ``today``) over ``villages``: read from the
    yearly counts (``DutyPromise``, a row per village) where they are as of that day,
    counted live for the villages whose row is older. Equal to ``promise_kept_in`` over
    the same days (the drill-down): the same verdict per cadre, summed per village."""
    first, last = year_bounds(year)
    end = min(last, today)
    if end < first:
        return PromiseCount(kept=0, cadres=0)
    fresh = DutyPromise.objects.filter(year=year, village__in=villages, as_of__gte=end)
    stored = fresh.aggregate(kept=Sum("kept"), cadres=Sum("cadres"), rows=Count("pk"))
    kept, cadres = stored["kept"] or 0, stored["cadres"] or 0
    if stored["rows"] < villages.count():
        # Some villages' rows are older than the day asked for (or missing): count those live.
        stale = villages.exclude(pk__in=fresh.values("village_id")).values("pk")
        live = promise_kept(SlotOutcome.objects.filter(village_id__in=stale), first, end)
        kept += live.kept
        cadres += live.cadres
    return PromiseCount(kept=kept, cadres=cadres)


# ---------------------------------------------------------------------------
# The system's health, for the status page and the metrics endpoint
# ---------------------------------------------------------------------------

#: an attendance device quiet for longer is 失联 (its slots are judged 设备未同步)
SILENT_AFTER = dt.timedelta(hours=1)

#: a device's contact, in the words every page uses
CONTACT_LABELS = {"ok": "正常", "silent": "失联", "never": "从未连接"}


def contact_state(device: Any, last: dt.datetime | None, now: dt.datetime) -> str:
    """How an active device's contact reads: ``never`` (not heard from since it was
    registered), ``silent`` (an attendance device quiet for more than SILENT_AFTER) or
    ``ok``; empty for other statuses."""
    if device.status != DeviceStatus.ACTIVE:
        return ""
    if last is None:
        return "never"
    if device.is_attendance_device and now - last > SILENT_AFTER:
        return "silent"
    return "ok"


@dataclass
class DeviceContact:
    device: Any
    last_seen: dt.datetime | None
    state: str


def device_contacts(now: dt.datetime, devices: Any = None) -> list[DeviceContact]:
    """Every active device of ``devices`` (a scoped queryset; default every device, for
    the operators' pages) with its contact state."""
    devices = Device.objects.all() if devices is None else devices
    active = list(devices.filter(status=DeviceStatus.ACTIVE).select_related("village"))
    seen = last_seen(active)
    return [DeviceContact(d, seen.get(d.pk), contact_state(d, seen.get(d.pk), now)) for d in active]


@dataclass(frozen=True)
class IngestHealth:
    #: accepted requests no parse has committed yet, and the oldest one's receipt
    unparsed: int
    oldest_unparsed_at: dt.datetime | None
    #: mean seconds from receipt to parse over the requests parsed in the last 15 minutes
    parse_lag_seconds: float | None
    #: quarantined lines nobody resolved yet, and the oldest one's time
    quarantine_open: int
    oldest_quarantine_at: dt.datetime | None
    #: every stored raw request (the table retention keeps in bounds)
    requests_stored: int


def ingest_health(now: dt.datetime) -> IngestHealth:
    """Across every device (operators' view; nothing here names a village)."""
    unparsed = DeviceRequest.objects.unparsed().aggregate(n=Count("pk"), oldest=Min("received_at"))
    recent = DeviceRequest.objects.filter(parsed_at__gte=now - dt.timedelta(minutes=15)).aggregate(
        lag=Avg(F("parsed_at") - F("received_at"))
    )
    lag = recent["lag"]
    if lag is not None and not isinstance(lag, dt.timedelta):
        lag = dt.timedelta(microseconds=int(lag))  # SQLite averages durations as microseconds
    opened = QuarantinedLine.objects.unresolved().aggregate(n=Count("pk"), oldest=Min("created_at"))
    return IngestHealth(
        unparsed=unparsed["n"],
        oldest_unparsed_at=unparsed["oldest"],
        parse_lag_seconds=lag.total_seconds() if lag is not None else None,
        quarantine_open=opened["n"],
        oldest_quarantine_at=opened["oldest"],
        requests_stored=_row_count(DeviceRequest),
    )


def _row_count(model: Any) -> int:
    """The table's rows: PostgreSQL's estimate (kept by ANALYZE; a count of millions of
    rows would cost the status page seconds), an exact count elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [model._meta.db_table],
            )
            row = cursor.fetchone()
        if row and row[0] >= 0:
            return int(row[0])
    return model.objects.count()


# ---------------------------------------------------------------------------
# For the notification rules (notifications.services.occasions)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Absence:
    """A cadre absent on a day without a leave or out-on-business report, as judged from
    the devices (``attendance``) or confirmed after a patrol (``patrol``)."""

    village_id: int
    cadre_id: int | None
    cadre_name: str
    day: dt.date
    source: str  # "attendance" or "patrol"


def absences_between(start: dt.date, end: dt.date) -> list[Absence]:
    """Judged absences (never a slot still pending or unknown) and confirmed patrol
    findings from ``start`` to ``end``, one row per source, cadre and day."""
    rows: dict[tuple, Absence] = {}
    for village_id, cadre_id, name, day in (
        SlotOutcome.objects.filter(state=OutcomeState.ABSENT, day__range=(start, end))
        .values_list("village_id", "cadre_id", "cadre__name", "day")
        .order_by("day", "village_id", "cadre_id")
    ):
        rows.setdefault(
            ("attendance", cadre_id, day), Absence(village_id, cadre_id, name, day, "attendance")
        )
    for village_id, cadre_id, name, day in (
        PatrolFinding.objects.filter(day__range=(start, end))
        .values_list("village_id", "cadre_id", "cadre__name", "day")
        .order_by("day", "village_id", "pk")
    ):
        rows.setdefault(
            ("patrol", cadre_id or -village_id, day),
            Absence(village_id, cadre_id, name or "", day, "patrol"),
        )
    return list(rows.values())


def quarantined_since(since: dt.datetime) -> int:
    """Lines quarantined at or after ``since`` that nobody has resolved."""
    return QuarantinedLine.objects.unresolved().filter(created_at__gte=since).count()
