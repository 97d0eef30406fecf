"""The belt overview, creation plans and targets (with their import and export), the
responsibility agreements, and the belt's economy comparison."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from demonstration_belt import exports, resources, selectors
from demonstration_belt.forms import (
    ImportForm,
)
from demonstration_belt.models import (
    Agreement,
    Belt,
    BeltMembership,
    CreationPlan,
    Dimension,
)
from jinhu.core import clock, params, tabular
from jinhu.core.requests import AuthedRequest
from villages import selectors as village_selectors
from villages.selectors import Village, scope_label


@login_required
def overview(request: AuthedRequest) -> HttpResponse:
    year = clock.today().year
    belt = Belt.objects.first()
    memberships = BeltMembership.objects.for_user(request.user).select_related("village")
    plans = {p.village_id: p for p in CreationPlan.objects.for_user(request.user).filter(year=year)}
    return render(
        request,
        "belt/overview.html",
        {
            "belt": belt,
            "memberships": memberships,
            "plans": plans,
            "year": year,
            "agreements": Agreement.objects.for_user(request.user)
            .filter(year=year)
            .select_related("village"),
        },
    )


@login_required
def plan(request: AuthedRequest, code: str, year: int) -> HttpResponse:
    village = village_selectors.village_or_404(request.user, code)
    params.check_year(year)
    plan = get_object_or_404(CreationPlan, village=village, year=year)
    targets = plan.targets.all()
    by_dimension = [
        (label, [t for t in targets if t.dimension == value]) for value, label in Dimension.choices
    ]
    return render(request, "belt/plan.html", {"plan": plan, "by_dimension": by_dimension})


@login_required
def agreement(request: AuthedRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(
        Agreement.objects.for_user(request.user).select_related("village", "party_b"), pk=pk
    )
    return render(
        request,
        "belt/agreement.html",
        {"agreement": agreement, "indicators": agreement.indicators.all()},
    )


@login_required
def economy_comparison(request: AuthedRequest) -> HttpResponse:
    """Belt vs other villages: per-capita net income year on year, weak villages over time."""
    this_year = clock.today().year
    years = [this_year - 2, this_year - 1, this_year]
    villages = Village.objects.for_user(request.user)
    return render(
        request,
        "belt/economy.html",
        {
            "comparisons": selectors.belt_income_comparison(years[:2], villages),
            "weak": selectors.weak_villages_by_year(years, villages),
            "scope": scope_label(request.user),
        },
    )


@login_required
def targets_export(request: AuthedRequest) -> HttpResponse:
    """Every target in the user's scope, with Chinese headers (re-importable)."""
    from demonstration_belt.models import Target

    targets = Target.objects.for_user(request.user).select_related("plan__village")
    if (year := params.year(request.GET, default=None)) is not None:
        targets = targets.filter(plan__year=year)
    return tabular.download(
        tabular.sheet_of("创建目标", exports.TARGETS, targets),
        "创建目标",
        tabular.export_format(request) or "xlsx",
    )


@login_required
def targets_import(request: AuthedRequest) -> HttpResponse:
    """Targets and plans from Excel, keyed on village code; all rows checked first."""
    if not request.user.has_perm("demonstration_belt.manage_plans"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context, done = tabular.two_step_import(
        request,
        form,
        session_key="targets_import",
        resource_for=lambda _options: resources.TargetResource(user=request.user),
    )
    if context.get("expired"):
        messages.error(request, _("导入已过期，请重新上传。"))
        return redirect("belt:targets_import")
    if done:
        messages.success(request, _("已导入 %(n)s 个目标。") % {"n": done.rows})
        return redirect("belt:overview")
    return render(request, "belt/targets_import.html", context)
