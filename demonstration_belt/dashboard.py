"""Read models for the dashboards, the bulletin and the headline figures.

Every function does a fixed number of queries whatever the number of villages
(pinned by tests): scores are read from the stored score rows and attendance
from the per-slot outcomes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q

from attendance.models import COMPLIANT_STATES, JUDGED_STATES, DutyLogEntry, SlotOutcome
from collective_economy import selectors as economy_selectors
from demonstration_belt import scoring
from demonstration_belt.models import (
    Dimension,
    Finding,
    Suggestion,
    VillageScore,
    belt_village_ids,
)
from demonstration_belt.scoring_inputs import period_bounds
from demonstration_belt.scoring_services import breakdowns
from jinhu.core import clock, periods
from jinhu.core.periods import Month

#: rows of the ranking shown on the dashboard (belt villages always; the rest in the bulletin)
TOP = 20
#: villages in the charts when the viewer's scope has no belt village
FOCUS_LIMIT = 12


def focus_villages(villages) -> list:
    """The belt villages in scope, or else the first few villages of the scope."""
    belt = belt_village_ids()
    villages = list(villages)
    return [v for v in villages if v.pk in belt] or villages[:FOCUS_LIMIT]


def standings(year: int, month: int) -> tuple[dict[int, int], dict[int, int], int]:
    """Every village's rank among all active villages of the sub-district and among the
    belt (equal totals share a rank), and how many were ranked. The ranking the
    bulletin publishes, whoever asks: a secretary sees their own village's place in it,
    never a rank among the villages they happen to see."""
    totals = list(
        VillageScore.objects.filter(year=year, month=month, village__is_active=True).values_list(
            "village_id", "total"
        )
    )
    belt = belt_village_ids()
    return (
        scoring.ranks(totals),
        scoring.ranks([(v, t) for v, t in totals if v in belt]),
        len(totals),
    )


def scoreboard(
    villages, year: int, month: int, *, details_for: set[int] | None = None
) -> list[dict]:
    """Scores of ``villages`` for the period, with their sub-district and belt ranks.

    The breakdown (rendered from each row's facts) is made only for ``details_for``
    (the villages whose six-solids shares are charted): the ranking of a whole city
    does not need it.
    """
    belt = belt_village_ids()
    rank, belt_rank, _ranked = standings(year, month)
    provisional = is_provisional(year, month)
    rows = list(
        VillageScore.objects.filter(village__in=villages, year=year, month=month)
        .select_related("village")
        .defer("facts")
        .order_by("-total", "village__sort_order")
    )
    details = {}
    if details_for is None or details_for:
        detailed = VillageScore.objects.filter(village__in=villages, year=year, month=month)
        if details_for is not None:
            detailed = detailed.filter(village_id__in=details_for)
        detailed = list(detailed)
        rendered = breakdowns(detailed)
        details = {s.village_id: rendered[s.pk] for s in detailed}
    out = []
    for score in rows:
        breakdown = details.get(score.village_id)
        out.append(
            {
                "score": score,
                "rank": rank.get(score.village_id),
                "belt_rank": belt_rank.get(score.village_id),
                "in_belt": score.village_id in belt,
                "provisional": provisional,
                "breakdown": breakdown,
                "dimensions": dimensions_of(breakdown) if breakdown is not None else None,
            }
        )
    return out


def is_provisional(year: int, month: int) -> bool:
    """A month whose progress reports are not yet due is 进行中 (the year: until its
    December is closed)."""
    period = Month(year, month or 12)
    return periods.is_provisional(period, clock.today(), settings.JINHU_REPORT_DUE_DAY)


def dimensions_of(breakdown: list[dict]) -> dict[str, float]:
    """Percent of the standard score earned per six-solids dimension (for the radar)."""
    got: dict[str, Decimal] = defaultdict(Decimal)
    std: dict[str, Decimal] = defaultdict(Decimal)
    for line in breakdown:
        if line["dimension"] and line["kind"] not in ("bonus", "veto"):
            got[line["dimension"]] += Decimal(line["final"])
            std[line["dimension"]] += Decimal(line["standard"])
    return {
        d: float(round(got[d] * 100 / std[d], 1)) if std[d] else 100.0
        for d, _label in Dimension.choices
    }


def trend(villages, year: int) -> dict:
    """Monthly totals per village for the year (one query); months whose reports are not
    yet due are labelled 进行中."""
    series: dict[str, dict[int, float]] = defaultdict(dict)
    for name, month, total in (
        VillageScore.objects.filter(village__in=villages, year=year, month__gt=0)
        .values_list("village__name", "month", "total")
        .order_by("month")
    ):
        series[name][month] = float(total)
    months = sorted({m for s in series.values() for m in s})
    return {
        "months": [f"{m}月（进行中）" if is_provisional(year, m) else f"{m}月" for m in months],
        "series": [{"name": n, "data": [s.get(m) for m in months]} for n, s in series.items()],
    }


def radar(board: list[dict]) -> dict:
    dims = [{"name": str(label), "max": 100} for _value, label in Dimension.choices]
    board = [r for r in board if r["dimensions"] is not None]
    belt_rows = [r for r in board if r["in_belt"]]
    average = [
        round(sum(r["dimensions"][d] for r in belt_rows) / len(belt_rows), 1) if belt_rows else 0
        for d, _label in Dimension.choices
    ]
    return {
        "indicator": dims,
        "belt_average": average,
        "villages": [
            {
                "name": r["score"].village.name,
                "value": [r["dimensions"][d] for d, _label in Dimension.choices],
            }
            for r in board
        ],
    }


def heatmap(villages, year: int, month: int) -> dict:
    """Duty compliance per village and day (judged slots only), one query."""
    start, end, _months = period_bounds(
        year, month or periods.last_complete_month(clock.today()).month
    )
    villages = list(villages)
    names = [v.name for v in villages]
    index = {v.pk: i for i, v in enumerate(villages)}
    cells = []
    for village_id, day, judged, compliant in (
        SlotOutcome.objects.filter(
            village__in=villages, day__gte=start, day__lte=end, state__in=JUDGED_STATES
        )
        .values_list("village_id", "day")
        .annotate(judged=Count("pk"), compliant=Count("pk", filter=Q(state__in=COMPLIANT_STATES)))
    ):
        cells.append([day.day - 1, index[village_id], round(compliant * 100 / judged)])
    days = [f"{d}日" for d in range(1, (end - start).days + 2)]
    return {"villages": names, "days": days, "cells": cells}


def open_items(villages, today: dt.date | None = None) -> dict:
    today = today or clock.today()
    findings = Finding.objects.filter(village__in=villages).exclude(status="closed")
    return {
        "findings_open": findings.count(),
        "findings_overdue": findings.filter(deadline__lt=today).count(),
        "suggestions_overdue": Suggestion.objects.filter(village__in=villages)
        .overdue(today)
        .count(),
    }


def headline_figures(villages, year: int) -> dict:
    """The article's figures, computed live from the records."""
    from demonstration_belt.selectors import belt_income_comparison
    from villages.selectors import compare_terms

    duty = DutyLogEntry.objects.filter(village__in=villages, day__year=year).totals()
    rows = economy_selectors.village_years(list(villages), year)
    comparison = belt_income_comparison([year - 1], villages)[0]
    return {
        "structure": compare_terms(villages),
        "duty": duty,
        "weak": [r.village.name for r in rows if r.status and r.status.weak],
        "reported": sum(1 for r in rows if r.status),
        "income": comparison,
    }
