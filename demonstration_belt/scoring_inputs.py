"""Gathering the scoring core's facts from every app, for many villages at once.

A fixed number of queries whatever the number of villages: each source is read
with one grouped query over all villages of the period (pinned by a test).
Attendance is read from the monthly tallies of the per-slot outcomes, which the
judge keeps up to date as punches arrive (``attendance/services/tallies.py``),
never from the raw punches.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from attendance.models import DutyLogEntry, DutyTally, PatrolFinding
from collective_economy import selectors as economy_selectors
from demonstration_belt import scoring
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


def period_bounds(year: int, month: int) -> tuple[dt.date, dt.date, list[int]]:
    """First and last day of the month (or the year, month 0) and the months it spans."""
    if month:
        return (
            dt.date(year, month, 1),
            dt.date(year, month, calendar.monthrange(year, month)[1]),
            [month],
        )
    today = timezone.localdate()
    # The whole year so far: its completed months (all twelve for a past year).
    last_month = 12 if year < today.year else max(1, today.month - 1)
    return dt.date(year, 1, 1), dt.date(year, 12, 31), list(range(1, last_month + 1))


def indicators_by_village(villages, year: int) -> dict[int, list[scoring.IndicatorSpec]]:
    agreements = {
        a.pk: a.village_id
        for a in Agreement.objects.filter(
            village__in=villages, year=year, kind=Agreement.Kind.CREATION
        )
    }
    out: dict[int, list[scoring.IndicatorSpec]] = defaultdict(list)
    for i in Indicator.objects.filter(agreement_id__in=agreements):
        out[agreements[i.agreement_id]].append(
            scoring.IndicatorSpec(
                id=i.pk,
                order=i.order,
                name=i.name,
                kind=i.kind,
                standard=i.standard_score,
                dimension=i.dimension,
                params=i.params,
                reviewer_scored=i.reviewer_scored,
            )
        )
    return out


def facts_for(villages, year: int, month: int) -> dict[int, scoring.Facts]:
    """Facts of one period (a month, or 0 for the year so far)."""
    return facts_for_periods(villages, year, [month])[month]


def facts_for_periods(
    villages, year: int, periods: list[int]
) -> dict[int, dict[int, scoring.Facts]]:
    """Facts of several periods of one year at once: each source is read once, grouped by
    village and month, and summed per period in Python."""
    villages = list(villages)
    ids = [v.pk for v in villages]
    bounds = {p: period_bounds(year, p) for p in periods}
    all_months = sorted({m for _s, _e, months in bounds.values() for m in months})
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    today = timezone.localdate()

    reports: dict[tuple[int, int], MonthlyReport] = {}
    for report in MonthlyReport.objects.filter(
        village_id__in=ids, year=year, month__in=all_months, status=ReportStatus.APPROVED
    ):
        reports[(report.village_id, report.month)] = report
    items: dict[int, list[scoring.TargetFact]] = defaultdict(list)
    for item in ReportItem.objects.filter(report__in=reports.values()).select_related("target"):
        t = item.target
        items[item.report_id].append(
            scoring.TargetFact(t.pk, t.weight, t.measure, item.progress, item.value, t.goal_value)
        )

    duty = {  # (village, month) -> (judged, compliant), kept up to date by the judge
        (village_id, m): (judged, compliant)
        for village_id, m, judged, compliant in DutyTally.objects.filter(
            village_id__in=ids, year=year
        ).values_list("village_id", "month", "judged", "compliant")
    }
    service = {}
    for village_id, m, visitors, matters, disputes in (
        DutyLogEntry.objects.filter(village_id__in=ids, day__gte=year_start, day__lte=year_end)
        .annotate(m=ExtractMonth("day"))
        .values("village_id", "m")
        .annotate(
            v=Sum("people_count"),
            mt=Count("pk", filter=Q(kind="matter")),
            d=Count("pk", filter=Q(kind="dispute")),
        )
        .values_list("village_id", "m", "v", "mt", "d")
    ):
        service[(village_id, m)] = (visitors or 0, matters, disputes)
    party_days = defaultdict(int)
    for village_id, m, n in (
        PartyDayActivity.objects.filter(village_id__in=ids, held_on__year=year)
        .annotate(m=ExtractMonth("held_on"))
        .values("village_id", "m")
        .annotate(n=Count("pk"))
        .values_list("village_id", "m", "n")
    ):
        party_days[(village_id, m)] += n
    patrols = defaultdict(list)
    for pk, village_id, day in PatrolFinding.objects.filter(
        village_id__in=ids, day__year=year
    ).values_list("pk", "village_id", "day"):
        patrols[(village_id, day.month)].append(pk)
    open_findings = list(
        Finding.objects.filter(village_id__in=ids)
        .exclude(status="closed")
        .values_list("pk", "village_id", "deadline")
    )
    open_suggestions = list(
        Suggestion.objects.filter(
            village_id__in=ids, status__in=("received", "studying", "implementing")
        ).values_list("pk", "village_id", "due_on")
    )
    bonuses = defaultdict(list)
    for pk, village_id, m, points in BonusItem.objects.filter(
        village_id__in=ids, year=year
    ).values_list("pk", "village_id", "month", "points"):
        bonuses[(village_id, m)].append((pk, points))
    failures = list(
        MajorFailure.objects.filter(village_id__in=ids, year=year).values_list(
            "village_id", "occurred_on", "description"
        )
    )
    reviewer = defaultdict(dict)
    for r in ReviewerScore.objects.filter(
        indicator__agreement__village_id__in=ids, indicator__agreement__year=year, month__in=periods
    ).select_related("indicator__agreement"):
        reviewer[(r.indicator.agreement.village_id, r.month)][r.indicator_id] = (
            scoring.ReviewerFact(r.score, r.reason, r.approved_by_id is not None)
        )
    economy = {row.village.pk: row for row in economy_selectors.village_years(villages, year)}

    result: dict[int, dict[int, scoring.Facts]] = {}
    for period in periods:
        _start, end, months = bounds[period]
        as_of = min(end, today)
        per_village = {}
        for vid in ids:
            latest = next(
                (reports[(vid, m)] for m in reversed(months) if (vid, m) in reports), None
            )
            judged = sum(duty[(vid, m)][0] for m in months if (vid, m) in duty)
            compliant = sum(duty[(vid, m)][1] for m in months if (vid, m) in duty)
            svc = [service[(vid, m)] for m in months if (vid, m) in service]
            econ = economy.get(vid)
            bonus = [b for m in months for b in bonuses.get((vid, m), ())]
            per_village[vid] = scoring.Facts(
                months=len(months),
                report_ids=(latest.pk,) if latest else (),
                targets=tuple(items.get(latest.pk, ())) if latest else (),
                duty_judged=judged,
                duty_compliant=compliant,
                visitors=sum(x[0] for x in svc),
                matters=sum(x[1] for x in svc),
                disputes=sum(x[2] for x in svc),
                economy_weak=econ.status.weak if econ and econ.status else None,
                party_days=sum(party_days.get((vid, m), 0) for m in months),
                overdue_findings=tuple(
                    pk for pk, v, dl in open_findings if v == vid and dl < as_of
                ),
                overdue_suggestions=tuple(
                    pk for pk, v, due in open_suggestions if v == vid and due < as_of
                ),
                patrol_findings=tuple(pk for m in months for pk in patrols.get((vid, m), ())),
                bonus_points=sum((p for _pk, p in bonus), Decimal(0)),
                bonus_ids=tuple(pk for pk, _p in bonus),
                vetoes=tuple(d for v, day, d in failures if v == vid and day <= end),
                reviewer=reviewer.get((vid, period), {}),
            )
        result[period] = per_village
    return result
