"""Read models for the dashboards, the bulletin and the headline figures.

Every function does a fixed number of queries whatever the number of villages
(pinned by tests): scores are read from the stored score rows and attendance
from the per-slot outcomes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q

from attendance.models import COMPLIANT_STATES, JUDGED_STATES, DutyLogEntry, SlotOutcome
from collective_economy import selectors as economy_selectors
from demonstration_belt.models import (
    Dimension,
    Finding,
    Suggestion,
    VillageScore,
    belt_village_ids,
)
from demonstration_belt.scoring_inputs import period_bounds
from demonstration_belt.scoring_services import breakdowns
from jinhu.core import clock

#: rows of the ranking shown on the dashboard (belt villages always; the rest in the bulletin)
TOP = 20
#: villages in the charts when the viewer's scope has no belt village
FOCUS_LIMIT = 12


def focus_villages(villages) -> list:
    """The belt villages in scope, or else the first few villages of the scope."""
    belt = belt_village_ids()
    villages = list(villages)
    return [v for v in villages if v.pk in belt] or villages[:FOCUS_LIMIT]


def scoreboard(
    villages, year: int, month: int, *, details_for: set[int] | None = None
) -> list[dict]:
    """Scores of the period, ranked within the belt and across all villages.

    The breakdown (rendered from each row's facts) is made only for ``details_for``
    (the villages whose six-solids shares are charted): the ranking of a whole city
    does not need it.
    """
    belt = belt_village_ids()
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
    belt_rank = 0
    out = []
    for rank, score in enumerate(rows, start=1):
        in_belt = score.village_id in belt
        if in_belt:
            belt_rank += 1
        breakdown = details.get(score.village_id)
        out.append(
            {
                "score": score,
                "rank": rank,
                "belt_rank": belt_rank if in_belt else None,
                "in_belt": in_belt,
                "breakdown": breakdown,
                "dimensions": dimensions_of(breakdown) if breakdown is not None else None,
            }
        )
    return out


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
    """Monthly totals per village for the year (one query)."""
    series: dict[str, dict[int, float]] = defaultdict(dict)
    for name, month, total in (
        VillageScore.objects.filter(village__in=villages, year=year, month__gt=0)
        .values_list("village__name", "month", "total")
        .order_by("month")
    ):
        series[name][month] = float(total)
    months = sorted({m for s in series.values() for m in s})
    return {
        "months": [f"{m}月" for m in months],
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
    start, end, _months = period_bounds(year, month or clock.today().month)
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
    from villages.stats import compare_terms

    duty = DutyLogEntry.objects.filter(village__in=villages, day__year=year).totals()
    rows = economy_selectors.village_years(list(villages), year)
    comparison = belt_income_comparison([year - 1])[0]
    return {
        "structure": compare_terms(villages),
        "duty": duty,
        "weak": [r.village.name for r in rows if r.status and r.status.weak],
        "reported": sum(1 for r in rows if r.status),
        "income": comparison,
    }
