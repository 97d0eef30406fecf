"""Duty-promise compliance (坐班承诺履行): per village and month, the slots behind it,
and the correction of a verdict (requested by one person, decided by another)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from attendance import forms
from attendance.models import (
    DutySlot,
    OutcomeCorrection,
    SlotOutcome,
)
from attendance.selectors import (
    PROMISE_KEPT_RATE,
    compliance_by,
    compliance_of,
    monthly_compliance,
    promise_kept,
)
from attendance.services.outcomes import correction_decide, correction_request
from jinhu.core import clock, params, periods
from jinhu.core.forms import errors_as_messages, refusal_as_message
from jinhu.core.periods import Month
from jinhu.core.perms import rule_allows
from jinhu.core.requests import AuthedRequest
from villages import selectors as village_selectors
from villages.selectors import Cadre, Village


def _month(request: HttpRequest) -> Month:
    """The month a compliance page shows: by default the last complete one."""
    return params.year_month(request.GET, default=periods.last_complete_month(clock.today()))


def _month_nav(month: Month) -> dict:
    """The month shown, its neighbours (never past the current month) and the current one."""
    current = Month.of(clock.today())
    return {
        "month": month,
        "current": current,
        "previous": month.previous(),
        "following": month.next() if month < current else None,
        "in_progress": month >= current,
    }


@login_required
def compliance(request: AuthedRequest) -> HttpResponse:
    """Per-village duty compliance for a month (pending and unknown never count)."""
    month = _month(request)
    villages = Village.objects.for_user(request.user).active()
    # One grouped query for every village (not one per village).
    per_village = compliance_by(
        SlotOutcome.objects.for_user(request.user), "village_id", month.first, month.last
    )
    empty = compliance_of({})
    rows = [{"village": v, **per_village.get(v.pk, empty)} for v in villages]
    promise = promise_kept(SlotOutcome.objects.for_user(request.user), month.first, month.last)
    return render(
        request,
        "attendance/compliance.html",
        {
            "rows": rows,
            "judged": sum(r["judged"] for r in rows),
            "promise": promise,
            "scope": village_selectors.scope_label(request.user),
            **_month_nav(month),
        },
    )


@login_required
def cadre_promises(request: AuthedRequest) -> HttpResponse:
    """The cadres behind the duty-promise figure: each one's rate over judged slots, for a
    month (``?month=``, the compliance page's figure) or a year so far (``?year=``, the
    belt's headline figures)."""
    month = _month(request)
    whole_year = params.year(request.GET, default=None) if "month" not in request.GET else None
    if whole_year is not None:
        start, year_end = periods.year_bounds(whole_year)
        end, title = min(year_end, clock.today()), f"{whole_year}年"
    else:
        start, end, title = month.first, month.last, month.label
    promise = promise_kept(SlotOutcome.objects.for_user(request.user), start, end)
    cadres = {
        c.pk: c
        for c in Cadre.objects.for_user(request.user)
        .filter(pk__in=promise.rates)
        .select_related("village")
    }
    rows = sorted(
        ({"cadre": cadres[pk], **row} for pk, row in promise.rates.items() if pk in cadres),
        key=lambda r: (r["rate"], r["cadre"].village.sort_order, r["cadre"].name),
    )
    return render(
        request,
        "attendance/cadre_promises.html",
        {
            "rows": rows,
            "promise": promise,
            "title": title,
            "whole_year": whole_year,
            "threshold": PROMISE_KEPT_RATE,
            "scope": village_selectors.scope_label(request.user),
            **_month_nav(month),
        },
    )


@login_required
def cadre_compliance(request: AuthedRequest, pk: int) -> HttpResponse:
    """One cadre's 坐班承诺履行: the month's and the year's rate, and the slots behind."""
    cadre = get_object_or_404(Cadre.objects.for_user(request.user).select_related("village"), pk=pk)
    month = _month(request)
    outcomes = SlotOutcome.objects.filter(cadre=cadre)
    year_start, year_end = periods.year_bounds(month.year)
    return render(
        request,
        "attendance/cadre_compliance.html",
        {
            "cadre": cadre,
            "month_rate": monthly_compliance(outcomes, month.first, month.last),
            "year_rate": monthly_compliance(outcomes, year_start, min(year_end, clock.today())),
            "outcomes": outcomes.filter(day__gte=month.first, day__lte=month.last)
            .select_related("slot")
            .order_by("day", "slot__starts_at"),
            "threshold": PROMISE_KEPT_RATE,
            **_month_nav(month),
        },
    )


@login_required
def village_compliance(request: AuthedRequest, code: str) -> HttpResponse:
    village = village_selectors.village_or_404(request.user, code)
    month = _month(request)
    outcomes = SlotOutcome.objects.filter(village=village)
    by_cadre = compliance_by(outcomes, "cadre_id", month.first, month.last)
    empty = compliance_of({})
    per_cadre = [
        {"cadre": c, **by_cadre.get(c.pk, empty)}
        for c in Cadre.objects.filter(village=village, is_active=True)
    ]
    now = clock.now()
    slots = [
        (slot, slot.ends_at <= now)  # only a slot that is over can be corrected
        for slot in DutySlot.objects.filter(
            village=village, day__gte=month.first, day__lte=month.last, kind="sit_in"
        )
        .select_related("cadre", "outcome")
        .prefetch_related(
            Prefetch(
                "corrections",
                queryset=OutcomeCorrection.objects.filter(status=OutcomeCorrection.Status.PENDING),
                to_attr="pending_corrections",
            )
        )
        .order_by("-day", "cadre__name")
    ]
    pending = list(
        OutcomeCorrection.objects.for_user(request.user)
        .filter(slot__village=village, status=OutcomeCorrection.Status.PENDING)
        .select_related("slot__cadre", "requested_by__profile")
        .order_by("created_at")
    )
    # Who may decide which: staff, never the person who asked (the rule itself).
    decidable = {
        c.pk for c in pending if rule_allows("attendance.decide_correction", request.user, c)
    }
    return render(
        request,
        "attendance/village_compliance.html",
        {
            "village": village,
            "per_cadre": per_cadre,
            "slots": slots,
            "total": monthly_compliance(outcomes, month.first, month.last),
            "can_correct": request.user.has_perm("attendance.request_correction", village),
            "pending": pending,
            "decidable": decidable,
            "form": forms.CorrectionForm(),
            **_month_nav(month),
        },
    )


@login_required
def slot_correct(request: AuthedRequest, pk: int) -> HttpResponse:
    """Ask for a correction (it counts once another person, staff, approves it)."""
    slot = get_object_or_404(DutySlot.objects.for_user(request.user), pk=pk)
    if not request.user.has_perm("attendance.request_correction", slot):
        raise PermissionDenied
    form = forms.CorrectionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                correction_request(
                    actor=request.user,
                    slot=slot,
                    state=form.cleaned_data["state"],
                    reason=form.cleaned_data["reason"],
                )
            except (ValidationError, PermissionDenied) as error:
                refusal_as_message(request, error)
            else:
                messages.success(request, _("更正申请已提交，须由另一位街道工作人员批准后生效。"))
        else:
            errors_as_messages(request, form)
    return redirect(
        reverse("attendance:village_compliance", args=[slot.village.code])
        + f"?month={slot.day:%Y-%m}"
    )


@login_required
def correction_decide_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Approve or reject a requested correction (staff other than the requester)."""
    correction = get_object_or_404(
        OutcomeCorrection.objects.for_user(request.user).select_related("slot__village"), pk=pk
    )
    if request.method != "POST":
        raise Http404
    form = forms.CorrectionDecisionForm(request.POST)
    if not form.is_valid():
        errors_as_messages(request, form)
    else:
        try:
            correction_decide(
                actor=request.user,
                correction=correction,
                approve=form.cleaned_data["action"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except (ValidationError, PermissionDenied) as error:
            refusal_as_message(request, error)
        else:
            messages.success(request, _("已处理该更正申请。"))
    slot = correction.slot
    return redirect(
        reverse("attendance:village_compliance", args=[slot.village.code])
        + f"?month={slot.day:%Y-%m}"
    )
