"""Gathering the scoring core's facts from every app, for many villages at once.

A fixed number of queries whatever the number of villages: each source is read
with one grouped query over all villages of the period (pinned by a test).
Attendance is read from the monthly tallies of the per-slot outcomes, which the
judge keeps up to date as punches arrive (``attendance/services/tallies.py``),
never from the raw punches.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import ExtractMonth

from attendance import selectors as attendance_selectors
from collective_economy import selectors as economy_selectors
from demonstration_belt.core import scoring
from demonstration_belt.models import (
    Agreement,
    BonusItem,
    Finding,
    Indicator,
    MajorFailure,
    MonthlyReport,
    PartyDayActivity,
    ReportItem,
    ReportStatus,
    ReviewerScore,
    Suggestion,
)
from demonstration_belt.selectors import period_bounds
from jinhu.core import clock, periods
from jinhu.core.periods import Month
from villages.selectors import Village


def report_due(year: int, months: list[int], today: dt.date) -> tuple[bool, str]:
    """Whether the latest month's progress report is due by ``today``, and its deadline
    (进行中 periods are not penalised for a report that is not yet due)."""
    month = Month(year, max(months))
    deadline = periods.report_deadline(month, settings.JINHU_REPORT_DUE_DAY)
    return today > deadline, f"{deadline.month}月{deadline.day}日"


def _scope(ids: list[int]) -> Any:
    """The villages as a subquery: filtering by it costs the database nothing, while a
    list of a thousand ids costs Django a thousand conversions in every query."""
    return Village.objects.filter(pk__in=ids).values("pk") if len(ids) > 50 else ids


def indicators_by_village(
    villages: Any, year: int, *, scope: Any = None
) -> dict[int, list[scoring.IndicatorSpec]]:
    """``scope``: the same villages as a queryset of ids, if the caller has one."""
    if scope is None:
        scope = _scope([v.pk for v in villages])
    out: dict[int, list[scoring.IndicatorSpec]] = defaultdict(list)
    for village_id, *fields in Indicator.objects.filter(
        agreement__village_id__in=scope,
        agreement__year=year,
        agreement__kind=Agreement.Kind.CREATION,
    ).values_list(
        "agreement__village_id",
        "pk",
        "order",
        "name",
        "kind",
        "standard_score",
        "dimension",
        "params",
        "reviewer_scored",
    ):
        out[village_id].append(scoring.IndicatorSpec(*fields))
    return out


def facts_for(villages: Any, year: int, month: int) -> dict[int, scoring.Facts]:
    """Facts of one period (a month, or 0 for the year so far)."""
    return facts_for_periods(villages, year, [month])[month]


def facts_for_periods(
    villages: Any, year: int, periods: list[int], *, scope: Any = None
) -> dict[int, dict[int, scoring.Facts]]:
    """Facts of several periods of one year at once: each source is read once, grouped by
    village and month, and summed per period in Python.

    Plain values throughout (no model instances), and every source is filtered by a
    subquery of the villages rather than a list of a thousand ids.
    """
    villages = list(villages)
    ids = [v.pk for v in villages]
    if scope is None:
        scope = _scope(ids)
    bounds = {p: period_bounds(year, p) for p in periods}
    all_months = sorted({m for _s, _e, months in bounds.values() for m in months})
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    today = clock.today()

    reports: dict[tuple[int, int], int] = {
        (village_id, month): pk
        for pk, village_id, month in MonthlyReport.objects.filter(
            village_id__in=scope, year=year, month__in=all_months, status=ReportStatus.APPROVED
        ).values_list("pk", "village_id", "month")
    }
    items: dict[int, list[scoring.TargetFact]] = defaultdict(list)
    fact: Any
    for report_id, *fact in ReportItem.objects.filter(
        report__village_id__in=scope,
        report__year=year,
        report__month__in=all_months,
        report__status=ReportStatus.APPROVED,
    ).values_list(
        "report_id",
        "target_id",
        "target__weight",
        "target__measure",
        "progress",
        "value",
        "target__goal_value",
    ):
        items[report_id].append(scoring.TargetFact(*fact))

    def monthly(rows: Iterable[Any], width: int) -> dict[int, list[Any]]:
        """village -> 13 slots (index = month) of ``width`` counts each."""
        out: dict[int, list[Any]] = {}
        for village_id, m, *values in rows:
            slots = out.get(village_id)
            if slots is None:
                slots = out[village_id] = [(0,) * width] * 13
            slots[m] = tuple(values)
        return out

    # (judged, compliant) per month, kept up to date by the judge
    duty = monthly(
        attendance_selectors.duty_tallies(scope, year),
        2,
    )
    service = monthly(
        (
            (v, m, visitors or 0, matters, disputes)
            for v, m, visitors, matters, disputes in attendance_selectors.service_by_month(
                scope, year_start, year_end
            )
        ),
        3,
    )
    party_days = monthly(
        PartyDayActivity.objects.filter(village_id__in=scope, held_on__year=year)
        .annotate(m=ExtractMonth("held_on"))
        .values("village_id", "m")
        .annotate(n=Count("pk"))
        .values_list("village_id", "m", "n"),
        1,
    )
    patrols: dict[tuple[int, int], list[int]] = defaultdict(list)
    for pk, village_id, day in attendance_selectors.patrol_findings(scope, year):
        patrols[(village_id, day.month)].append(pk)
    open_findings: dict[int, list[Any]] = defaultdict(list)
    for pk, village_id, deadline in (
        Finding.objects.filter(village_id__in=scope)
        .exclude(status="closed")
        .values_list("pk", "village_id", "deadline")
    ):
        open_findings[village_id].append((pk, deadline))
    open_suggestions: dict[int, list[Any]] = defaultdict(list)
    for pk, village_id, due in Suggestion.objects.filter(
        village_id__in=scope, status__in=("received", "studying", "implementing")
    ).values_list("pk", "village_id", "due_on"):
        open_suggestions[village_id].append((pk, due))
    bonuses = defaultdict(list)
    for pk, village_id, m, points in BonusItem.objects.filter(
        village_id__in=scope, year=year
    ).values_list("pk", "village_id", "month", "points"):
        bonuses[(village_id, m)].append((pk, points))
    failures: dict[int, list[Any]] = defaultdict(list)
    for village_id, occurred_on, description in MajorFailure.objects.filter(
        village_id__in=scope, year=year
    ).values_list("village_id", "occurred_on", "description"):
        failures[village_id].append((occurred_on, description))
    reviewer: dict[tuple[int, int], dict[int, scoring.ReviewerFact]] = defaultdict(dict)
    for village_id, month, indicator_id, score, reason, approver in ReviewerScore.objects.filter(
        indicator__agreement__village_id__in=scope,
        indicator__agreement__year=year,
        month__in=periods,
    ).values_list(
        "indicator__agreement__village_id",
        "month",
        "indicator_id",
        "score",
        "reason",
        "approved_by_id",
    ):
        reviewer[(village_id, month)][indicator_id] = scoring.ReviewerFact(
            score, reason, approver is not None
        )
    economy = {
        row.village.pk: (row.status.weak if row.status else None)
        for row in economy_selectors.village_years(villages, year, scope=scope)
    }

    none2, none3 = [(0, 0)] * 13, [(0, 0, 0)] * 13
    none1 = [(0,)] * 13

    def span(slots: Any, months: Any) -> Any:
        """The counts summed over the period's months."""
        if len(months) == 1:
            return slots[months[0]]
        return tuple(map(sum, zip(*(slots[m] for m in months), strict=True)))

    no_ids: tuple[Any, ...] = ()
    result: dict[int, dict[int, scoring.Facts]] = {}
    for period in periods:
        _start, end, months = bounds[period]
        as_of = min(end, today)
        is_due, due_text = report_due(year, months, today)
        latest_first = list(reversed(months))
        per_village = {}
        for vid in ids:
            latest_report = next(
                (reports[(vid, m)] for m in latest_first if (vid, m) in reports), None
            )
            judged, compliant = span(duty.get(vid, none2), months)
            visitors, matters, disputes = span(service.get(vid, none3), months)
            bonus = [b for m in months for b in bonuses.get((vid, m), ())] if bonuses else ()
            per_village[vid] = scoring.Facts(
                months=len(months),
                report_due=is_due,
                report_deadline="" if is_due else due_text,
                report_ids=(latest_report,) if latest_report else no_ids,
                targets=tuple(items.get(latest_report, ())) if latest_report else no_ids,
                duty_judged=judged,
                duty_compliant=compliant,
                visitors=visitors,
                matters=matters,
                disputes=disputes,
                economy_weak=economy.get(vid),
                party_days=span(party_days.get(vid, none1), months)[0],
                overdue_findings=tuple(pk for pk, dl in open_findings.get(vid, ()) if dl < as_of)
                if open_findings
                else no_ids,
                overdue_suggestions=tuple(
                    pk for pk, due in open_suggestions.get(vid, ()) if due < as_of
                )
                if open_suggestions
                else no_ids,
                patrol_findings=tuple(pk for m in months for pk in patrols.get((vid, m), ()))
                if patrols
                else no_ids,
                bonus_points=sum((p for _pk, p in bonus), Decimal(0)) if bonus else Decimal(0),
                bonus_ids=tuple(pk for pk, _p in bonus),
                vetoes=tuple(desc for day, desc in failures.get(vid, ()) if day <= end)
                if failures
                else no_ids,
                reviewer=reviewer.get((vid, period), {}),
            )
        result[period] = per_village
    return result
