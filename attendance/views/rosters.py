"""The duty roster of a village (weekly rotation, dated adjustments, swaps), its
coverage, and the sub-district's holiday calendar."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from attendance import forms, selectors
from attendance.core import workdays
from attendance.models import (
    HolidayArrangement,
    RosterOverride,
    RotationEntry,
)
from attendance.services import holidays as holiday_services
from attendance.services import rosters as roster_services
from jinhu.core import clock, params
from jinhu.core.forms import apply_errors
from jinhu.core.requests import AuthedRequest
from villages import selectors as village_selectors
from villages.selectors import Cadre


# ---------------------------------------------------------------------------
# Roster
# ---------------------------------------------------------------------------
@login_required
def roster(request: AuthedRequest, code: str) -> HttpResponse:
    village = village_selectors.village_or_404(request.user, code)
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
            forms_by_action = {"rotation": rotation_form, "swap": swap_form}
            target = forms_by_action.get(action or "", override_form)
            apply_errors(target, error)
    slots = selectors.schedule_compute(village, start, end)
    day_info = selectors.day_info_for(village, start, end)
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
def coverage(request: AuthedRequest, code: str) -> HttpResponse:
    village = village_selectors.village_or_404(request.user, code)
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
            "minimum": selectors.duty_rules_for(village).min_on_duty,
        },
    )


@login_required
def holidays(request: AuthedRequest) -> HttpResponse:
    """A year's holidays and 调休 make-up days; staff enter a year the package lacks."""
    today = clock.today()
    year = params.year(request.GET, default=selectors.missing_next_year(today) or today.year)
    can_edit = request.user.has_perm("attendance.manage_holidays")
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
