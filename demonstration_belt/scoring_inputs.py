"""Gathering the scoring core's facts from every app, for many villages at once.

A fixed number of queries whatever the number of villages: each source is read
with one grouped query over all villages of the period (pinned by a test).
Attendance is read from the per-slot outcomes kept up to date as punches
arrive, never from the raw punches.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from attendance.models import DutyLogEntry, PatrolFinding, SlotOutcome
from attendance.models.ingest import COMPLIANT_STATES, JUDGED_STATES
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
    villages = list(villages)
    ids = [v.pk for v in villages]
    start, end, months = period_bounds(year, month)
    today = timezone.localdate()
    as_of = min(end, today)

    # Approved progress: the latest approved report of the period per village.
    reports = {}
    for report in MonthlyReport.objects.filter(
        village_id__in=ids, year=year, month__in=months, status=ReportStatus.APPROVED
    ).order_by("village_id", "month"):
        reports[report.village_id] = report  # later months overwrite earlier ones
    targets: dict[int, list[scoring.TargetFact]] = defaultdict(list)
    for item in ReportItem.objects.filter(report__in=reports.values()).select_related(
        "target", "report"
    ):
        t = item.target
        targets[item.report.village_id].append(
            scoring.TargetFact(t.pk, t.weight, t.measure, item.progress, item.value, t.goal_value)
        )

    duty = defaultdict(lambda: [0, 0])
    for village_id, state, n in (
        SlotOutcome.objects.filter(
            village_id__in=ids, day__gte=start, day__lte=end, state__in=JUDGED_STATES
        )
        .values_list("village_id", "state")
        .annotate(n=Count("pk"))
    ):
        duty[village_id][0] += n
        if state in COMPLIANT_STATES:
            duty[village_id][1] += n

    service = {
        row["village_id"]: row
        for row in DutyLogEntry.objects.filter(village_id__in=ids, day__gte=start, day__lte=end)
        .values("village_id")
        .annotate(
            visitors=Sum("people_count"),
            matters=Count("pk", filter=Q(kind="matter")),
            disputes=Count("pk", filter=Q(kind="dispute")),
        )
    }
    economy = {row.village.pk: row for row in economy_selectors.village_years(villages, year)}
    party_days = dict(
        PartyDayActivity.objects.filter(village_id__in=ids, held_on__gte=start, held_on__lte=end)
        .values_list("village_id")
        .annotate(n=Count("pk"))
    )
    findings = defaultdict(list)
    for pk, village_id in (
        Finding.objects.filter(village_id__in=ids, deadline__lt=as_of)
        .exclude(status="closed")
        .values_list("pk", "village_id")
    ):
        findings[village_id].append(pk)
    suggestions = defaultdict(list)
    for pk, village_id in Suggestion.objects.filter(
        village_id__in=ids, due_on__lt=as_of, status__in=("received", "studying", "implementing")
    ).values_list("pk", "village_id"):
        suggestions[village_id].append(pk)
    patrols = defaultdict(list)
    for pk, village_id in PatrolFinding.objects.filter(
        village_id__in=ids, day__gte=start, day__lte=end
    ).values_list("pk", "village_id"):
        patrols[village_id].append(pk)
    bonuses = defaultdict(list)
    for pk, village_id, points in BonusItem.objects.filter(
        village_id__in=ids, year=year, month__in=months
    ).values_list("pk", "village_id", "points"):
        bonuses[village_id].append((pk, points))
    vetoes = defaultdict(list)
    for village_id, description in MajorFailure.objects.filter(
        village_id__in=ids, year=year, occurred_on__lte=end
    ).values_list("village_id", "description"):
        vetoes[village_id].append(description)
    reviewer = defaultdict(dict)
    for r in ReviewerScore.objects.filter(
        indicator__agreement__village_id__in=ids, indicator__agreement__year=year, month=month
    ).select_related("indicator__agreement"):
        reviewer[r.indicator.agreement.village_id][r.indicator_id] = scoring.ReviewerFact(
            r.score, r.reason, r.approved_by_id is not None
        )

    out = {}
    for village in villages:
        vid = village.pk
        econ = economy.get(vid)
        svc = service.get(vid, {})
        out[vid] = scoring.Facts(
            months=len(months),
            report_ids=(reports[vid].pk,) if vid in reports else (),
            targets=tuple(targets.get(vid, ())),
            duty_judged=duty[vid][0],
            duty_compliant=duty[vid][1],
            visitors=svc.get("visitors") or 0,
            matters=svc.get("matters") or 0,
            disputes=svc.get("disputes") or 0,
            economy_weak=econ.status.weak if econ and econ.status else None,
            party_days=party_days.get(vid, 0),
            overdue_findings=tuple(findings.get(vid, ())),
            overdue_suggestions=tuple(suggestions.get(vid, ())),
            patrol_findings=tuple(patrols.get(vid, ())),
            bonus_points=sum((p for _pk, p in bonuses.get(vid, ())), Decimal(0)),
            bonus_ids=tuple(pk for pk, _p in bonuses.get(vid, ())),
            vetoes=tuple(vetoes.get(vid, ())),
            reviewer=reviewer.get(vid, {}),
        )
    return out
