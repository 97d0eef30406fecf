"""Leave and out-on-business reports (请假、外出报备): the list, a new report, and a
report's tiered approval."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from attendance import forms
from attendance.models import (
    AbsenceReport,
)
from attendance.services import absences as absence_services
from jinhu.core.forms import apply_errors
from jinhu.core.perms import rule_allows
from jinhu.core.requests import AuthedRequest
from villages.selectors import Cadre


# ---------------------------------------------------------------------------
# Leave and out-on-business
# ---------------------------------------------------------------------------
@login_required
def absence_list(request: AuthedRequest) -> HttpResponse:
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
    waiting = [r for r in page if rule_allows("attendance.decide_absence", request.user, r)]
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
def absence_new(request: AuthedRequest) -> HttpResponse:
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
def absence_detail(request: AuthedRequest, pk: int) -> HttpResponse:
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
            "next_level": report.next_level(),
            "can_decide": rule_allows("attendance.decide_absence", request.user, report),
            "can_cancel": report.status in ("pending", "approved")
            and request.user.has_perm("attendance.cancel_absence", report),
        },
    )
