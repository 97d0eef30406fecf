"""The duty log (值班日志): visitors, matters and disputes per village and day, the
sub-district totals and the entries behind them, handovers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from attendance import exports, forms, selectors
from attendance.models import (
    DutyLogEntry,
)
from attendance.models.dutylog import EntryKind
from attendance.services import dutylog as dutylog_services
from jinhu.core import clock, params, tabular
from jinhu.core.forms import apply_errors
from jinhu.core.requests import AuthedRequest
from villages import selectors as village_selectors


# ---------------------------------------------------------------------------
# Duty log
# ---------------------------------------------------------------------------
@login_required
def dutylog(request: AuthedRequest, code: str) -> HttpResponse:
    village = village_selectors.village_or_404(request.user, code)
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
def dutylog_totals(request: AuthedRequest) -> HttpResponse:
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
def dutylog_entries(request: AuthedRequest) -> HttpResponse:
    """The drill-down: the entries behind any counter."""
    entries = DutyLogEntry.objects.for_user(request.user).select_related("village", "cadre")
    filters: dict[str, Any] = {}
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
