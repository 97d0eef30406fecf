"""What each rule is about right now: its occasions, read from the other apps' selectors.

An occasion names one matter (a report and month, a finding and its deadline, a cadre
and day …) by a key that stays the same however often the job runs, so each person is
told once. Rules about a state ("still not submitted", "overdue") look at the state as it
is, so a job that was down catches up by itself; rules about an event ("returned",
"approved") read the events since the rule last ran. Nothing here is about a period
still open (进行中): a report is late only after its deadline, absences only once
judged, the 消薄 forecast only from closed months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse

from attendance import selectors as attendance
from collective_economy import selectors as economy
from demonstration_belt import selectors as belt
from jinhu.core import clock, periods
from jinhu.core.periods import Month
from notifications.models import Rule
from villages.selectors import Village, display_name

STATUS_WORDS = {"": "未建立", "draft": "草稿未提交", "returned": "退回未重新提交"}


@dataclass(frozen=True)
class Occasion:
    key: str
    village_id: int | None
    url: str
    facts: dict[str, Any] = field(default_factory=dict)
    about: dt.date | None = None


@dataclass(frozen=True)
class Moment:
    """When the job runs: ``since`` is where event rules start reading (the rule's last
    run, or the catch-up limit)."""

    now: dt.datetime
    today: dt.date
    since: dt.datetime


Finder = Callable[[Any, Moment], Iterable[Occasion]]
FINDERS: dict[str, Finder] = {}


def finder(key: str) -> Callable[[Finder], Finder]:
    def register(function: Finder) -> Finder:
        FINDERS[key] = function
        return function

    return register


def _day(value: dt.date) -> str:
    return f"{value.month}月{value.day}日"


def _names() -> dict[int, Village]:
    return Village.objects.in_bulk()


def _report_url(village: Village, year: int, month: int, report_id: int | None) -> str:
    if report_id is not None:
        return reverse("belt:report", kwargs={"pk": report_id})
    return reverse("belt:report_open", kwargs={"code": village.code, "year": year, "month": month})


def _due_day() -> int:
    return int(settings.JINHU_REPORT_DUE_DAY)


def _unsubmitted(months: list[Month]) -> list[belt.ReportState]:
    return [s for s in belt.report_states(months) if s.status in STATUS_WORDS]


def _report_facts(village: Village, month: Month, due: dt.date) -> dict[str, Any]:
    return {"village": village.name, "month": month.label, "due_on": _day(due)}


@finder("report_due_soon")
def report_due_soon(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    """The month whose deadline is 1..N days away (told once, on the first of those days
    the job sees: after downtime it still comes, as long as the deadline has not passed)."""
    month = periods.previous_month(moment.today)
    due = periods.report_deadline(month, _due_day())
    days = (due - moment.today).days
    if not 0 < days <= rule.threshold:
        return
    villages = _names()
    for state in _unsubmitted([month]):
        village = villages[state.village_id]
        yield Occasion(
            f"{village.pk}:{month.key}",
            village.pk,
            _report_url(village, month.year, month.month, state.report_id),
            {**_report_facts(village, month, due), "days": days},
            due,
        )


@finder("report_due_today")
def report_due_today(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    month = periods.previous_month(moment.today)
    due = periods.report_deadline(month, _due_day())
    if due != moment.today:
        return
    villages = _names()
    for state in _unsubmitted([month]):
        village = villages[state.village_id]
        yield Occasion(
            f"{village.pk}:{month.key}",
            village.pk,
            _report_url(village, month.year, month.month, state.report_id),
            _report_facts(village, month, due),
            due,
        )


def _report_events(action: str, moment: Moment) -> Iterable[Occasion]:
    for event in belt.report_events_since(moment.since, [action]):
        report = event.report
        month = Month(report.year, report.month)
        due = periods.report_deadline(month, _due_day())
        yield Occasion(
            f"event:{event.pk}",
            report.village_id,
            report.get_absolute_url(),
            {
                **_report_facts(report.village, month, due),
                "actor": display_name(event.actor),
                "comment": event.comment or "（未填写意见）",
            },
            clock.local_date(event.at),
        )


@finder("report_returned")
def report_returned(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    return _report_events("return", moment)


@finder("report_approved")
def report_approved(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    return _report_events("approve", moment)


def _finding_facts(finding: Any) -> dict[str, Any]:
    return {
        "village": finding.village.name,
        "description": finding.description,
        "owner": finding.owner,
        "deadline": _day(finding.deadline),
    }


def _findings_url(finding: Any) -> str:
    return reverse("belt:findings")


#: a finding being rectified (re-check pending counts as done by the village)
RECTIFYING = ("open", "in_progress")


@finder("finding_assigned")
def finding_assigned(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    for finding in belt.open_findings():
        if finding.status in RECTIFYING:
            yield Occasion(
                str(finding.pk),
                finding.village_id,
                _findings_url(finding),
                _finding_facts(finding),
                finding.deadline,
            )


@finder("suggestion_assigned")
def suggestion_assigned(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    for suggestion in belt.open_suggestions():
        yield Occasion(
            str(suggestion.pk),
            suggestion.village_id,
            reverse("belt:suggestions"),
            {
                "village": suggestion.village.name,
                "source": suggestion.get_source_display(),
                "content": suggestion.content[:60].rstrip("。．.！!；;，, "),
                "due_on": _day(suggestion.due_on),
            },
            suggestion.due_on,
        )


@finder("rectification_due")
def rectification_due(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    last = moment.today + dt.timedelta(days=rule.threshold)
    for finding in belt.open_findings():
        if finding.status in RECTIFYING and moment.today <= finding.deadline <= last:
            yield Occasion(
                f"{finding.pk}:{finding.deadline.isoformat()}",
                finding.village_id,
                _findings_url(finding),
                _finding_facts(finding),
                finding.deadline,
            )


@finder("rectification_overdue")
def rectification_overdue(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    for finding in belt.open_findings():
        if finding.status in RECTIFYING and finding.deadline < moment.today:
            yield Occasion(
                f"{finding.pk}:{finding.deadline.isoformat()}",
                finding.village_id,
                _findings_url(finding),
                _finding_facts(finding),
                finding.deadline,
            )


@finder("report_late")
def report_late(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    """Months of the last three whose deadline has passed (never a month still open)."""
    months = [periods.previous_month(moment.today)]
    while len(months) < 3:
        months.append(months[-1].previous())
    closed = [m for m in months if not periods.is_provisional(m, moment.today, _due_day())]
    villages = _names()
    for state in _unsubmitted(closed):
        village = villages[state.village_id]
        month = Month(state.year, state.month)
        due = periods.report_deadline(month, _due_day())
        yield Occasion(
            f"{village.pk}:{month.key}",
            village.pk,
            _report_url(village, month.year, month.month, state.report_id),
            {**_report_facts(village, month, due), "state": STATUS_WORDS[state.status]},
            due,
        )


@finder("absence")
def absence(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    start = moment.today - dt.timedelta(days=max(rule.threshold, 1))
    villages = _names()
    seen: dict[tuple[int, Any, dt.date], list[str]] = {}
    rows: dict[tuple[int, Any, dt.date], attendance.Absence] = {}
    for row in attendance.absences_between(start, moment.today):
        who = (row.village_id, row.cadre_id or f"v{row.village_id}", row.day)
        seen.setdefault(who, []).append(row.source)
        rows.setdefault(who, row)
    for who, sources in seen.items():
        row = rows[who]
        village = villages[row.village_id]
        how = "经巡查确认离岗" if "patrol" in sources else "考勤判定缺勤"
        if len(set(sources)) > 1:
            how = "考勤判定缺勤并经巡查确认"
        url = reverse("attendance:village_compliance", kwargs={"code": village.code})
        if "patrol" in sources:
            url = reverse("attendance:patrols")
        yield Occasion(
            f"{row.village_id}:{who[1]}:{row.day.isoformat()}",
            village.pk,
            url,
            {
                "village": village.name,
                "cadre": row.cadre_name or "值班干部",
                "day": _day(row.day),
                "how": how,
            },
            row.day,
        )


@finder("report_waiting")
def report_waiting(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    for report in belt.reports_waiting():
        month = Month(report.year, report.month)
        submitted = report.submitted_at or moment.now
        yield Occasion(
            f"{report.pk}:{int(submitted.timestamp())}",
            report.village_id,
            report.get_absolute_url(),
            {
                **_report_facts(report.village, month, belt.report_due_on(month.year, month.month)),
                "submitted_at": f"{_day(clock.local_date(submitted))}"
                f"{clock.local(submitted):%H:%M}",
            },
            clock.local_date(submitted),
        )


@finder("device_silent")
def device_silent(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    limit = dt.timedelta(hours=max(rule.threshold, 1))
    for contact in attendance.device_contacts(moment.now):
        device, last = contact.device, contact.last_seen
        if last is None or not device.is_attendance_device or moment.now - last <= limit:
            continue
        if device.village_id is None:
            continue
        local = clock.local(last)
        yield Occasion(
            f"{device.pk}:{int(last.timestamp())}",
            device.village_id,
            reverse("attendance:device", kwargs={"pk": device.pk}),
            {
                "village": device.village.name,
                "device": str(device),
                "last_seen": f"{_day(local.date())}{local:%H:%M}",
                "hours": max(rule.threshold, 1),
            },
            local.date(),
        )


@finder("quarantine_growing")
def quarantine_growing(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    count = attendance.quarantined_since(moment.now - dt.timedelta(hours=24))
    if rule.threshold and count >= rule.threshold:
        yield Occasion(
            moment.today.isoformat(),
            None,
            reverse("attendance:quarantine"),
            {"count": count, "threshold": rule.threshold},
            moment.today,
        )


@finder("contract_expiring")
def contract_expiring(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    for contract in economy.contracts_expiring(moment.today, rule.threshold):
        yield Occasion(
            f"{contract.pk}:{contract.ends_on.isoformat()}",
            contract.village_id,
            reverse("economy:village", kwargs={"code": contract.village.code}),
            {
                "village": contract.village.name,
                "contract": contract.title,
                "counterparty": contract.counterparty,
                "ends_on": f"{contract.ends_on.year}年{_day(contract.ends_on)}",
            },
            contract.ends_on,
        )


@finder("economy_weak_forecast")
def economy_weak_forecast(rule: Rule, moment: Moment) -> Iterable[Occasion]:
    closed = periods.last_closed_month(moment.today, _due_day())
    for forecast in economy.weak_forecasts(closed.year, closed.month):
        projection = forecast.projection
        yield Occasion(
            f"{forecast.village.pk}:{forecast.year}:{forecast.months}",
            forecast.village.pk,
            reverse("economy:village", kwargs={"code": forecast.village.code}),
            {
                "village": forecast.village.name,
                "year": forecast.year,
                "months": forecast.months,
                "projected_total": f"{projection.projected_total:,.2f}",
                "projected_operating": f"{projection.projected_operating:,.2f}",
            },
            Month(forecast.year, forecast.months).last,
        )
