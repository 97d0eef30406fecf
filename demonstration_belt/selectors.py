"""The belt's read API: to-do lists, late reports, comparisons, the dashboards, the
bulletin and the headline figures, and the breakdown of a score.

Every dashboard function does a fixed number of queries whatever the number of villages
(pinned by tests): scores are read from the stored score rows and attendance from the
per-slot outcomes. Other apps read the belt only here (``jinhu/views.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings

from attendance import selectors as attendance_selectors
from collective_economy import selectors as economy_selectors
from demonstration_belt.core import scoring
from demonstration_belt.models import (
    Agreement,
    CreationPlan,
    Dimension,
    Finding,
    Indicator,
    MonthlyReport,
    ReportEvent,
    ReportStatus,
    Suggestion,
    VillageScore,
    belt_village_ids,
)
from jinhu.core import clock, periods
from jinhu.core.periods import Month
from jinhu.core.perms import rule_allows
from villages.selectors import VILLAGE_ROLES, Role, Village, compare_terms, role_of


@dataclass
class TodoItem:
    kind: str
    label: str
    url: str
    overdue: bool = False


@dataclass
class Todo:
    items: list[TodoItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)


def todo_for(user, today: dt.date | None = None) -> Todo:
    """What this person has to do: reports due or returned, reviews waiting, deadlines."""
    today = today or clock.today()
    todo = Todo()
    role = role_of(user)
    villages = Village.objects.for_user(user).active()
    reports = MonthlyReport.objects.for_user(user)
    if role in (Role.SECRETARY, Role.CADRE):
        last = periods.previous_month(today)
        year, month = last.year, last.month
        done = set(
            reports.filter(
                year=year, month=month, status__in=(ReportStatus.SUBMITTED, ReportStatus.APPROVED)
            ).values_list("village_id", flat=True)
        )
        for village in villages:
            if village.pk not in done:
                due = report_due_on(year, month)
                todo.items.append(
                    TodoItem(
                        "report",
                        f"{village.name} {year}年{month}月进度报告（{due:%m月%d日}前报送）",
                        f"/belt/reports/{village.code}/{year}/{month}/",
                        overdue=today > due,
                    )
                )
        for report in reports.filter(status=ReportStatus.RETURNED).select_related("village"):
            todo.items.append(
                TodoItem(
                    "returned",
                    f"{report} 被退回，请修改后重新提交",
                    report.get_absolute_url(),
                    overdue=True,
                )
            )
    if role in (Role.STAFF, Role.INSTRUCTOR, Role.LIAISON):
        for report in reports.filter(status=ReportStatus.SUBMITTED).select_related("village"):
            todo.items.append(TodoItem("review", f"审核 {report}", report.get_absolute_url()))
    findings = Finding.objects.for_user(user)
    for finding in findings.overdue(today).select_related("village")[:20]:
        todo.items.append(
            TodoItem(
                "finding",
                f"{finding.village.name}：{finding}（已超期）",
                "/belt/findings/",
                overdue=True,
            )
        )
    for finding in findings.due_soon(today).select_related("village")[:20]:
        todo.items.append(
            TodoItem(
                "finding",
                f"{finding.village.name}：{finding}（{finding.deadline:%m-%d} 到期）",
                "/belt/findings/",
            )
        )
    suggestions = Suggestion.objects.for_user(user)
    for s in suggestions.overdue(today).select_related("village")[:20]:
        todo.items.append(
            TodoItem(
                "suggestion",
                f"{s.village.name} 党员建议“{s}”已超期未答复",
                "/belt/suggestions/",
                overdue=True,
            )
        )
    for s in suggestions.due_soon(today).select_related("village")[:20]:
        todo.items.append(
            TodoItem(
                "suggestion",
                f"{s.village.name} 党员建议“{s}”{s.due_on:%m-%d} 到期",
                "/belt/suggestions/",
            )
        )
    return todo


@dataclass
class ReportMonth:
    """A month a village's secretary can start or continue a report for."""

    village: Village
    period: Month
    report: MonthlyReport | None

    @property
    def action(self) -> str:
        if self.report is None:
            return "开始填报"
        if self.report.status == ReportStatus.SUBMITTED:
            return "查看（已提交，待审核）"
        if self.report.status == ReportStatus.RETURNED:
            return "修改后重新提交"
        return "继续填写"

    @property
    def url(self) -> str:
        if self.report is not None:
            return self.report.get_absolute_url()
        return f"/belt/reports/{self.village.code}/{self.period.year}/{self.period.month}/"


#: how far back the start buttons go (earlier months stay reachable from the list)
REPORT_MONTHS_BACK = 12


def report_months(user: Any, today: dt.date | None = None) -> list[ReportMonth]:
    """This month and every earlier month (of the last twelve) without an approved report,
    for each village the user fills reports for; newest first. Two queries and one
    permission check per village."""
    today = today or clock.today()
    if role_of(user) not in VILLAGE_ROLES:
        return []  # (reviewers and staff fill none: no rule to ask for every village)
    # The villages the user fills reports for (asked of the rule itself: an administrator
    # could fill one, but a village's months are not their to-do).
    villages = [
        v
        for v in Village.objects.for_user(user).active()
        if rule_allows("demonstration_belt.fill_report", user, v)
    ]
    if not villages:
        return []
    months = [Month.of(today)]
    while len(months) < REPORT_MONTHS_BACK:
        months.append(months[-1].previous())
    oldest = months[-1]
    reports = {
        (r.village_id, r.year, r.month): r
        for r in MonthlyReport.objects.filter(
            village__in=villages,
            year__gte=oldest.year,
        )
        if Month(r.year, r.month) >= oldest
    }
    rows = []
    for village in villages:
        for period in months:
            report = reports.get((village.pk, period.year, period.month))
            if report is None or report.status != ReportStatus.APPROVED:
                rows.append(ReportMonth(village, period, report))
    return rows


@dataclass
class LateRow:
    village: Village
    year: int
    month: int
    due_on: dt.date
    report: MonthlyReport | None

    @property
    def state(self) -> str:
        if self.report is None:
            return "未建立"
        return self.report.get_status_display()


def late_reports(user, today: dt.date | None = None, months: int = 3) -> list[LateRow]:
    """Reports past their deadline and not submitted (missing, draft or returned)."""

    today = today or clock.today()
    villages = list(Village.objects.for_user(user).active())
    recent = []
    cursor = Month.of(today)
    for _ in range(months):
        cursor = cursor.previous()
        recent.append((cursor.year, cursor.month))
    reports = {
        (r.village_id, r.year, r.month): r
        for r in MonthlyReport.objects.filter(village__in=villages).filter(
            year__in={y for y, _m in recent}, month__in={m for _y, m in recent}
        )
    }
    rows = []
    for year, month in recent:
        due = report_due_on(year, month)
        if today <= due:
            continue
        for village in villages:
            report = reports.get((village.pk, year, month))
            if report is None or report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
                rows.append(LateRow(village, year, month, due, report))
    return rows


@dataclass
class IncomeComparison:
    year: int
    comparison: economy_selectors.Comparison
    belt_count: int
    others_count: int


def belt_income_comparison(years: list[int], villages) -> list[IncomeComparison]:
    """Belt villages' average per-capita net income against the others', year by year,
    over ``villages`` (the viewer's scope: staff see the whole sub-district).

    The belt is today's membership throughout, so that earlier years show how the
    same villages compared before (and as) the belt was built.
    """
    villages = villages.filter(is_active=True)
    members = belt_village_ids()
    out = []
    for year in years:
        per_village = economy_selectors.per_capita(villages, year)
        comparison = economy_selectors.compare_per_capita(per_village, members)
        out.append(
            IncomeComparison(
                year,
                comparison,
                sum(1 for v in per_village if v in members),
                sum(1 for v in per_village if v not in members),
            )
        )
    return out


def weak_villages_by_year(years: list[int], villages) -> dict[int, list[str]]:
    """The weak (not yet 消薄) villages among ``villages`` (the viewer's scope), by year."""
    villages = list(villages.filter(is_active=True))
    return {
        year: [
            r.village.name
            for r in economy_selectors.village_years(villages, year)
            if r.status and r.status.weak
        ]
        for year in years
    }


def report_due_on(year: int, month: int) -> dt.date:
    """A month's report is due on day JINHU_REPORT_DUE_DAY of the following month."""
    return periods.report_deadline(Month(year, month), settings.JINHU_REPORT_DUE_DAY)


def report_submitter_id(report: MonthlyReport) -> int | None:
    """Who submitted the report last (the two-person rule: they do not approve it)."""
    return (
        report.events.filter(action=ReportEvent.Action.SUBMIT)
        .order_by("-at", "-pk")
        .values_list("actor_id", flat=True)
        .first()
    )


def plan_for(village: Village, year: int) -> CreationPlan | None:
    return CreationPlan.objects.filter(village=village, year=year).first()


def period_bounds(year: int, month: int) -> tuple[dt.date, dt.date, list[int]]:
    """First and last day of the month (or the year, month 0) and the months it spans."""
    if month:
        period = Month(year, month)
        return period.first, period.last, [month]
    # The whole year so far: its completed months (all twelve for a past year).
    completed = [
        m.month for m in periods.months_of(year, clock.today()) if m < Month.of(clock.today())
    ]
    start, end = periods.year_bounds(year)
    return start, end, completed or [1]


# ---------------------------------------------------------------------------
# Dashboards
# ---------------------------------------------------------------------------
#: rows of the ranking shown on the dashboard (belt villages always; the rest in the bulletin)
TOP = 20
#: villages in the charts when the viewer's scope has no belt village
FOCUS_LIMIT = 12


def focus_villages(villages) -> list:
    """The belt villages in scope, or else the first few villages of the scope."""
    belt = belt_village_ids()
    # (Two small queries rather than the whole scope: a city's staff see 1,000 villages.)
    return list(villages.filter(pk__in=belt)) or list(villages[:FOCUS_LIMIT])


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
    villages,
    year: int,
    month: int,
    *,
    details_for: set[int] | None = None,
    top: int | None = None,
    ranking: tuple[dict[int, int], dict[int, int], int] | None = None,
) -> list[dict]:
    """Scores of ``villages`` for the period, with their sub-district and belt ranks.

    The breakdown (rendered from each row's facts) is made only for ``details_for``
    (the villages whose six-solids shares are charted): the ranking of a whole city
    does not need it. With ``top``, only the rows a board shows are read: the first
    ``top`` in ranking order (``in_top``; equal totals by the villages' order, so a tie
    never lengthens the list), the belt's villages and ``details_for`` (the ranks
    themselves come from ``standings``, over every village; ``ranking``: its result,
    when the caller has it).
    """
    belt = belt_village_ids()
    rank, belt_rank, _ranked = ranking or standings(year, month)
    provisional = is_provisional(year, month)
    scores = VillageScore.objects.filter(village__in=villages, year=year, month=month)
    first: set[int] = set()
    if top is not None:
        first = set(
            scores.order_by("-total", "village__sort_order", "village_id").values_list(
                "village_id", flat=True
            )[:top]
        )
        scores = scores.filter(village_id__in=first | set(belt) | set(details_for or ()))
    rows = list(
        scores.select_related("village").defer("facts").order_by("-total", "village__sort_order")
    )
    details = {}
    if details_for is None or details_for:
        detailed = VillageScore.objects.filter(village__in=villages, year=year, month=month)
        if details_for is not None:
            detailed = detailed.filter(village_id__in=details_for)
        chosen = list(detailed)
        rendered = breakdowns(chosen)
        details = {s.village_id: rendered[s.pk] for s in chosen}
    out = []
    for score in rows:
        breakdown = details.get(score.village_id)
        out.append(
            {
                "score": score,
                "rank": rank.get(score.village_id),
                "belt_rank": belt_rank.get(score.village_id),
                "in_belt": score.village_id in belt,
                "in_top": score.village_id in first,
                "provisional": provisional,
                "breakdown": breakdown,
                "dimensions": dimensions_of(breakdown) if breakdown is not None else None,
            }
        )
    return out


def ties_left_out(rows: list[dict]) -> int:
    """Villages ranked equal with the last of the board's first rows but not shown."""
    top = [r for r in rows if r["in_top"]]
    if not top:
        return 0
    last = top[-1]["score"]
    shown = {r["score"].village_id for r in rows}
    return (
        VillageScore.objects.filter(
            year=last.year, month=last.month, total=last.total, village__is_active=True
        )
        .exclude(village_id__in=shown)
        .count()
    )


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
    for village_id, day, judged, compliant in attendance_selectors.compliance_by_village_day(
        villages, start, end
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
    duty = attendance_selectors.dutylog_totals(villages, year)
    promise = attendance_selectors.promise_counts_in(villages, year, clock.today())
    weak, reported = economy_selectors.weak_summary(villages, year)
    comparison = belt_income_comparison([year - 1], villages)[0]
    return {
        "structure": compare_terms(villages),
        "promise": promise,
        "duty": duty,
        "weak": weak,
        "reported": reported,
        "income": comparison,
    }


# ---------------------------------------------------------------------------
# A score's breakdown
# ---------------------------------------------------------------------------
def spec_of(indicator: Indicator) -> scoring.IndicatorSpec:
    return scoring.IndicatorSpec(
        id=indicator.pk,
        order=indicator.order,
        name=indicator.name,
        kind=indicator.kind,
        standard=indicator.standard_score,
        dimension=indicator.dimension,
        params=indicator.params,
        reviewer_scored=indicator.reviewer_scored,
    )


def breakdowns(scores) -> dict[int, list[dict]]:
    """Every line of each score: the points, the reason in words and the records behind
    them, rendered from the stored facts with the village's indicators for the year.
    One query for any number of scores."""
    scores = list(scores)
    wanted = {(s.village_id, s.year) for s in scores}
    specs: dict[tuple[int, int], list] = {}
    for key in wanted:
        specs[key] = []
    for indicator in Indicator.objects.filter(
        agreement__kind=Agreement.Kind.CREATION,
        agreement__village_id__in={v for v, _y in wanted},
        agreement__year__in={y for _v, y in wanted},
    ).select_related("agreement"):
        key = (indicator.agreement.village_id, indicator.agreement.year)
        if key in specs:
            specs[key].append(spec_of(indicator))
    return {
        s.pk: [
            line.as_dict()
            for line in scoring.score(
                specs[(s.village_id, s.year)], scoring.facts_from_json(s.facts)
            ).lines
        ]
        for s in scores
    }


def breakdown_of(score) -> list[dict]:
    """The lines of one score, rendered (one query; lists use ``breakdowns``)."""
    return breakdowns([score])[score.pk]


# ---------------------------------------------------------------------------
# For the notification rules (notifications.services.occasions)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportState:
    village_id: int
    year: int
    month: int
    report_id: int | None
    status: str  # a ReportStatus value, or "" when no report was started


def report_states(months: list[Month]) -> list[ReportState]:
    """For every active village and each of ``months``: its report's state (one query
    for the reports, one for the villages)."""
    if not months:
        return []
    wanted = {(m.year, m.month) for m in months}
    found = {
        (r["village_id"], r["year"], r["month"]): r
        for r in MonthlyReport.objects.filter(
            year__in={y for y, _m in wanted}, month__in={m for _y, m in wanted}
        ).values("pk", "village_id", "year", "month", "status")
    }
    out = []
    for village_id in Village.objects.active().values_list("pk", flat=True):
        for year, month in sorted(wanted):
            row = found.get((village_id, year, month))
            out.append(
                ReportState(
                    village_id,
                    year,
                    month,
                    row["pk"] if row else None,
                    row["status"] if row else "",
                )
            )
    return out


def report_events_since(since: dt.datetime, actions: list[str]) -> list[ReportEvent]:
    """Returns, approvals … recorded at or after ``since``, with their report and village."""
    return list(
        ReportEvent.objects.filter(at__gte=since, action__in=actions)
        .select_related("report__village", "actor__profile")
        .order_by("at", "pk")
    )


def reports_waiting() -> list[MonthlyReport]:
    """Reports submitted and not yet reviewed, oldest first."""
    return list(
        MonthlyReport.objects.filter(status=ReportStatus.SUBMITTED)
        .select_related("village")
        .order_by("submitted_at", "pk")
    )


def open_findings() -> list[Finding]:
    """Findings not closed (to rectify, or rectified and awaiting the re-check)."""
    return list(Finding.objects.open().select_related("village").order_by("deadline", "pk"))


def open_suggestions() -> list[Suggestion]:
    return list(Suggestion.objects.open().select_related("village").order_by("due_on", "pk"))
