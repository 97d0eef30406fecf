"""TODO docstring."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collective_economy import exports, selectors
from collective_economy.forms import MonthlyForm
from collective_economy.models import (
    AnnualAccount,
    Contract,
    ContractPayment,
    MonthlyAccount,
)
from collective_economy.services import accounts as account_services
from jinhu.core import clock, params, tabular
from jinhu.core.forms import apply_errors
from jinhu.core.requests import AuthedRequest
from villages import selectors as village_selectors
from villages.selectors import Village


def _year(request: HttpRequest) -> int:
    return params.year(request.GET, default=clock.today().year)


@login_required
def overview(request: AuthedRequest) -> HttpResponse:
    year = _year(request)
    villages = Village.objects.for_user(request.user).active()
    rows = selectors.village_years(villages, year)
    return render(
        request,
        "collective_economy/overview.html",
        {
            "year": year,
            "rows": rows,
            "lines": selectors.lines_for(year),
            "weak": [r for r in rows if r.status and r.status.weak],
            "warnings": [r for r in rows if r.projection and r.projection.warn],
            "years": range(clock.today().year, clock.today().year - 5, -1),
            "can_import": request.user.has_perm("collective_economy.import_accounts"),
        },
    )


@login_required
def village(request: AuthedRequest, code: str) -> HttpResponse:
    village = village_selectors.village_or_404(request.user, code)
    year = _year(request)
    can_enter = request.user.has_perm("collective_economy.enter_figures", village)
    form = MonthlyForm(request.POST or None)
    if request.method == "POST":
        if not can_enter:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                account_services.monthly_account_save(
                    actor=request.user,
                    village=village,
                    year=d["year"],
                    month=d["month"],
                    operating_income=d["operating_income"],
                    other_income=d["other_income"],
                    expenses=d["expenses"],
                    sources=form.sources(),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, _("%(y)s年%(m)s月数据已保存。") % {"y": d["year"], "m": d["month"]}
                )
                return redirect(f"{request.path}?year={d['year']}")
    today = clock.today()
    (summary,) = selectors.village_years([village], year)
    return render(
        request,
        "collective_economy/village.html",
        {
            "village": village,
            "year": year,
            "summary": summary,
            "form": form,
            "can_enter": can_enter,
            "months": MonthlyAccount.objects.filter(village=village, year=year).order_by("month"),
            "annual": AnnualAccount.objects.filter(village=village).order_by("-year"),
            "sources": selectors.income_by_source(village, year),
            "funds": village.funds.all(),
            "assets": village.assets.all(),
            "resources": village.resources.all(),
            "contracts": village.contracts.prefetch_related("payments"),
            "expiring": Contract.objects.filter(village=village).expiring(today),
            "overdue": ContractPayment.objects.filter(contract__village=village)
            .overdue(today)
            .select_related("contract"),
            "projects": village.projects.prefetch_related("milestones"),
            "cleanup": village.cleanup_items.all(),
        },
    )


@login_required
def alerts(request: AuthedRequest) -> HttpResponse:
    today = clock.today()
    contracts = Contract.objects.for_user(request.user).select_related("village")
    payments = ContractPayment.objects.for_user(request.user).select_related(
        "contract", "contract__village"
    )
    return render(
        request,
        "collective_economy/alerts.html",
        {
            "expiring": contracts.expiring(today),
            "overdue": payments.overdue(today),
            "upcoming": payments.upcoming(today),
            "today": today,
        },
    )


@login_required
def export_accounts(request: AuthedRequest, kind: str, fmt: str) -> HttpResponse:
    if kind not in exports.EXPORTS or fmt not in ("xlsx", "csv"):
        raise Http404
    model = MonthlyAccount if kind == "monthly" else AnnualAccount
    queryset = model.objects.for_user(request.user).select_related("village")
    if request.GET.get("year"):
        queryset = queryset.filter(year=_year(request))
    title, columns = exports.EXPORTS[kind]
    return tabular.download(tabular.sheet_of(title, columns, queryset), f"集体经济{title}", fmt)
