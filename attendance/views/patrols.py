"""Central patrol spot-checks (巡查抽查) and the confirmation of their findings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from attendance import forms
from attendance.models import (
    PatrolCheck,
)
from attendance.services import patrols as patrol_services
from jinhu.core import clock
from jinhu.core.forms import apply_errors
from jinhu.core.requests import AuthedRequest
from villages.selectors import Village


# ---------------------------------------------------------------------------
# Patrols
# ---------------------------------------------------------------------------
@login_required
def patrol_list(request: AuthedRequest) -> HttpResponse:
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
            "can_confirm": request.user.has_perm("attendance.confirm_finding"),
        },
    )


@login_required
def finding_confirm(request: AuthedRequest, pk: int) -> HttpResponse:
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
