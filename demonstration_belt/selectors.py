"""Cross-app read models for the belt: to-do lists, late reports, comparisons.

This module may read every other domain app; nothing imports it but views and
tasks of this app (and jinhu/views.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from collective_economy import economy
from collective_economy import selectors as economy_selectors
from demonstration_belt.models import (
    Finding,
    MonthlyReport,
    ReportStatus,
    Suggestion,
    belt_village_ids,
)
from jinhu.core import clock, periods
from jinhu.core.periods import Month
from villages.models import Role, Village, role_of, sees_all_villages


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
                from demonstration_belt.services import report_due_on

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
    from demonstration_belt.services import report_due_on

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
    comparison: economy.Comparison
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
        comparison = economy.compare_per_capita(per_village, members)
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


def can_see_all(user) -> bool:
    return sees_all_villages(user)
