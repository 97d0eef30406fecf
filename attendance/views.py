"""Logged-in pages of the duty system: roster, coverage, absences, duty log, patrols."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from attendance import exports, forms, selectors, workdays
from attendance.models import (
    AbsenceReport,
    DutyLogEntry,
    HolidayArrangement,
    PatrolCheck,
    RosterOverride,
    RotationEntry,
)
from attendance.models.dutylog import EntryKind
from attendance.services import absences as absence_services
from attendance.services import dutylog as dutylog_services
from attendance.services import holidays as holiday_services
from attendance.services import patrols as patrol_services
from attendance.services import rosters as roster_services
from jinhu.core import clock, params, tabular
from jinhu.core.forms import apply_errors
from villages.models import Cadre, Village, sees_all_villages


def _village(request: HttpRequest, code: str) -> Village:
    return get_object_or_404(Village.objects.for_user(request.user), code=code)


# ---------------------------------------------------------------------------
# Roster
# ---------------------------------------------------------------------------
@login_required
def roster(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(request, code)
    can_manage = request.user.has_perm("attendance.manage_roster", village)
    today = clock.today()
    start, _end = selectors.week_of(today)
    end = start + dt.timedelta(days=27)
    rotation_form = forms.RotationForm(
        village=village, prefix="rot", initial={"effective_from": today}
    )
    swap_form = forms.SwapForm(village=village, prefix="swap")
    override_form = forms.OverrideForm(village=village, prefix="ovr", initial={"day": today})
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "rotation":
                rotation_form = forms.RotationForm(request.POST, village=village, prefix="rot")
                if rotation_form.is_valid():
                    d = rotation_form.cleaned_data
                    roster_services.rotation_set(
                        actor=request.user,
                        village=village,
                        weekday=d["weekday"],
                        part=d["part"],
                        kind=d["kind"],
                        cadres=list(d["cadres"]),
                        effective_from=d["effective_from"],
                    )
                    messages.success(request, _("轮值安排已更新。"))
                    return redirect("attendance:roster", code=code)
            elif action == "swap":
                swap_form = forms.SwapForm(request.POST, village=village, prefix="swap")
                if swap_form.is_valid():
                    d = swap_form.cleaned_data
                    roster_services.days_swap(
                        actor=request.user,
                        village=village,
                        part=d["part"],
                        first_day=d["first_day"],
                        first_cadre=d["first_cadre"],
                        second_day=d["second_day"],
                        second_cadre=d["second_cadre"],
                        reason=d["reason"],
                    )
                    messages.success(request, _("换班已登记，值班表已更新。"))
                    return redirect("attendance:roster", code=code)
            elif action == "override":
                override_form = forms.OverrideForm(request.POST, village=village, prefix="ovr")
                if override_form.is_valid():
                    d = override_form.cleaned_data
                    roster_services.override_create(
                        actor=request.user,
                        village=village,
                        day=d["day"],
                        part=d["part"],
                        original=d["original"],
                        replacement=d["replacement"],
                        reason=d["reason"],
                        correction=d["correction"],
                    )
                    messages.success(request, _("排班调整已登记。"))
                    return redirect("attendance:roster", code=code)
        except ValidationError as error:
            target = {"rotation": rotation_form, "swap": swap_form}.get(action, override_form)
            apply_errors(target, error)
    slots = roster_services.schedule_compute(village, start, end)
    day_info = roster_services.day_info_for(village, start, end)
    cadres = {c.pk: c for c in Cadre.objects.filter(village=village)}
    weeks: list[list[dict]] = []
    for week in range(4):
        row = []
        for offset in range(7):
            day = start + dt.timedelta(days=week * 7 + offset)
            row.append(
                {
                    "day": day,
                    "info": day_info(day),
                    "past": day < today,
                    "slots": [
                        {"slot": s, "cadre": cadres[s.cadre_id]} for s in slots if s.day == day
                    ],
                }
            )
        weeks.append(row)
    rotation = (
        RotationEntry.objects.filter(village=village, valid_from__lte=today + dt.timedelta(days=60))
        .exclude(valid_until__lt=today)
        .select_related("cadre")
    )
    overrides = (
        RosterOverride.objects.filter(village=village, day__gte=today - dt.timedelta(days=30))
        .select_related("original_cadre", "replacement_cadre", "approved_by")
        .order_by("-day")[:30]
    )
    return render(
        request,
        "attendance/roster.html",
        {
            "village": village,
            "weeks": weeks,
            "rotation": rotation,
            "overrides": overrides,
            "can_manage": can_manage,
            "rotation_form": rotation_form,
            "swap_form": swap_form,
            "override_form": override_form,
            "today": today,
            "unconfirmed_years": sorted(
                {d.year for d in (start, end) if not workdays.year_is_covered(d.year)}
            ),
        },
    )


@login_required
def coverage(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(request, code)
    today = clock.today()
    days, shares = selectors.coverage(village, today, today + dt.timedelta(days=27))
    return render(
        request,
        "attendance/coverage.html",
        {
            "village": village,
            "days": days,
            "short_days": [d for d in days if d.short],
            "shares": shares,
            "minimum": roster_services.duty_rules_for(village).min_on_duty,
        },
    )


# ---------------------------------------------------------------------------
# Leave and out-on-business
# ---------------------------------------------------------------------------
@login_required
def absence_list(request: HttpRequest) -> HttpResponse:
    reports = (
        AbsenceReport.objects.for_user(request.user)
        .select_related("cadre", "village")
        .prefetch_related("approvals")
        .order_by("-submitted_at")
    )
    status = request.GET.get("status")
    if status in AbsenceReport.Status.values:
        reports = reports.filter(status=status)
    page = Paginator(reports, 30).get_page(request.GET.get("page"))
    waiting = [r for r in page if absence_services.can_decide(request.user, r)]
    return render(
        request,
        "attendance/absence_list.html",
        {
            "page": page,
            "waiting": {r.pk for r in waiting},
            "status": status,
            "statuses": AbsenceReport.Status.choices,
        },
    )


@login_required
def absence_new(request: HttpRequest) -> HttpResponse:
    cadres = Cadre.objects.for_user(request.user).filter(is_active=True).select_related("village")
    form = forms.AbsenceForm(request.POST or None, cadres=cadres)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            report = absence_services.absence_submit(
                actor=request.user,
                cadre=d["cadre"],
                kind=d["kind"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                reason=d["reason"],
                destination=d.get("destination", ""),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("报备已提交，等待审批。"))
            return redirect("attendance:absence", pk=report.pk)
    return render(request, "attendance/absence_form.html", {"form": form})


@login_required
def absence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        AbsenceReport.objects.for_user(request.user).select_related("cadre", "village"), pk=pk
    )
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            absence_services.absence_cancel(actor=request.user, report=report)
            messages.success(request, _("报备已撤回。"))
            return redirect("attendance:absence", pk=pk)
        if form.is_valid():
            try:
                absence_services.absence_decide(
                    actor=request.user,
                    report=report,
                    approve=form.cleaned_data["approve"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("审批意见已保存。"))
                return redirect("attendance:absence", pk=pk)
    return render(
        request,
        "attendance/absence_detail.html",
        {
            "report": report,
            "form": form,
            "approvals": report.approvals.select_related("approver"),
            "next_level": absence_services.next_level(report),
            "can_decide": absence_services.can_decide(request.user, report),
            "can_cancel": report.status in ("pending", "approved")
            and (report.submitted_by_id == request.user.pk or sees_all_villages(request.user)),
        },
    )


# ---------------------------------------------------------------------------
# Duty log
# ---------------------------------------------------------------------------
@login_required
def dutylog(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(request, code)
    can_record = request.user.has_perm("attendance.record_dutylog", village)
    today = clock.today()
    form = forms.DutyLogForm(
        village=village, prefix="log", initial={"day": today, "people_count": 1}
    )
    handover_form = forms.HandoverForm(village=village, prefix="ho", initial={"day": today})
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if request.POST.get("action") == "handover":
            handover_form = forms.HandoverForm(request.POST, village=village, prefix="ho")
            if handover_form.is_valid():
                try:
                    dutylog_services.handover_record(
                        actor=request.user, village=village, **handover_form.cleaned_data
                    )
                except ValidationError as error:
                    apply_errors(handover_form, error)
                else:
                    messages.success(request, _("交接班记录已保存。"))
                    return redirect("attendance:dutylog", code=code)
        else:
            form = forms.DutyLogForm(request.POST, village=village, prefix="log")
            if form.is_valid():
                d = form.cleaned_data
                try:
                    dutylog_services.dutylog_record(
                        actor=request.user,
                        village=village,
                        cadre=d["cadre"],
                        day=d["day"],
                        kind=d["kind"],
                        summary=d["summary"],
                        people_count=d["people_count"],
                        matter_type=d["matter_type"] or "",
                        parties_count=d["parties_count"],
                        outcome=d["outcome"] or "",
                    )
                except ValidationError as error:
                    apply_errors(form, error)
                else:
                    messages.success(request, _("日志已保存。"))
                    return redirect("attendance:dutylog", code=code)
    entries = DutyLogEntry.objects.filter(village=village)
    recent = entries.select_related("cadre")[:20]
    this_year = entries.filter(day__year=today.year)
    by_cadre = (
        this_year.values("cadre_id", "cadre__name")
        .annotate(
            visitors=Sum("people_count"),
            matters=Count("pk", filter=Q(kind="matter")),
            disputes=Count("pk", filter=Q(kind="dispute")),
        )
        .order_by("-visitors")
    )
    return render(
        request,
        "attendance/dutylog.html",
        {
            "village": village,
            "form": form,
            "handover_form": handover_form,
            "can_record": can_record,
            "recent": recent,
            "totals": this_year.totals(),
            "year": today.year,
            "by_cadre": by_cadre,
            "handovers": village.handovers.select_related("from_cadre", "to_cadre")[:5],
        },
    )


@login_required
def dutylog_totals(request: HttpRequest) -> HttpResponse:
    """Sub-district and per-village counters, computed from entries (seed row 19)."""
    year = params.year(request.GET, default=clock.today().year)
    entries = DutyLogEntry.objects.for_user(request.user).filter(day__year=year)
    return render(
        request,
        "attendance/dutylog_totals.html",
        {
            "year": year,
            "totals": entries.totals(),
            "by_village": selectors.dutylog_totals_by_village(entries),
        },
    )


@login_required
def dutylog_entries(request: HttpRequest) -> HttpResponse:
    """The drill-down: the entries behind any counter."""
    entries = DutyLogEntry.objects.for_user(request.user).select_related("village", "cadre")
    filters = {}
    if (year := params.year(request.GET, default=None)) is not None:
        entries = entries.filter(day__year=year)
        filters["year"] = year
    if code := request.GET.get("village"):
        entries = entries.filter(village__code=code)
        filters["village"] = code
    if (cadre := params.object_id(request.GET, "cadre")) is not None:
        entries = entries.filter(cadre_id=cadre)
        filters["cadre"] = cadre
    if kind := params.choice(request.GET, "kind", EntryKind.values):
        entries = entries.filter(kind=kind)
        filters["kind"] = kind
    if fmt := tabular.export_format(request):
        return tabular.download(
            tabular.sheet_of("坐班日志", exports.DUTY_LOG, entries), "坐班日志", fmt
        )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "attendance/dutylog_entries.html",
        {
            "page": page,
            "totals": entries.totals(),
            "filters": filters,
            "query": "&".join(f"{k}={v}" for k, v in filters.items()),
        },
    )


# ---------------------------------------------------------------------------
# Patrols
# ---------------------------------------------------------------------------
@login_required
def patrol_list(request: HttpRequest) -> HttpResponse:
    villages = Village.objects.for_user(request.user).active()
    checks = PatrolCheck.objects.for_user(request.user).select_related(
        "village", "cadre", "checked_by", "finding"
    )
    can_record = any(request.user.has_perm("attendance.record_patrol", v) for v in villages)
    form = forms.PatrolForm(
        request.POST or None,
        request.FILES or None,
        villages=villages,
        initial={"checked_at": clock.local().replace(second=0, microsecond=0)},
    )
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                patrol_services.patrol_record(actor=request.user, **d)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("巡查记录已保存。"))
                return redirect("attendance:patrols")
    page = Paginator(checks, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "attendance/patrols.html",
        {
            "page": page,
            "form": form,
            "can_record": can_record,
            "can_confirm": sees_all_villages(request.user),
        },
    )


@login_required
def finding_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(PatrolCheck.objects.for_user(request.user), pk=pk)
    form = forms.FindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patrol_services.finding_confirm(
                actor=request.user, check=check, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已确认为巡查问题，将计入考核扣分。"))
            return redirect("attendance:patrols")
    return render(request, "attendance/finding_form.html", {"check": check, "form": form})


@login_required
def holidays(request: HttpRequest) -> HttpResponse:
    """A year's holidays and 调休 make-up days; staff enter a year the package lacks."""
    today = clock.today()
    year = params.year(request.GET, default=holiday_services.missing_next_year(today) or today.year)
    can_edit = sees_all_villages(request.user)
    form = forms.HolidayScheduleForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            days, errors = holiday_services.schedule_parse(form.cleaned_data["text"], year=year)
            if not errors:
                try:
                    result = holiday_services.schedule_save(
                        actor=request.user, year=year, days=days, note=form.cleaned_data["note"]
                    )
                except ValidationError as error:
                    apply_errors(form, error)
                else:
                    messages.success(
                        request,
                        _("已录入 %(y)s 年安排 %(n)s 天（变动 %(c)s 天），排班已按新安排更新。")
                        % {"y": year, "n": result["days"], "c": result["changed"]},
                    )
                    return redirect(f"{request.path}?year={year}")
    confirmed = HolidayArrangement.objects.filter(year=year).select_related("confirmed_by").first()
    return render(
        request,
        "attendance/holidays.html",
        {
            "year": year,
            "covered": workdays.year_is_covered(year),
            "confirmed": confirmed,
            "days": holiday_services.schedule_of(year),
            "form": form,
            "errors": errors,
            "can_edit": can_edit,
            "years": [today.year - 1, today.year, today.year + 1],
        },
    )
