from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jinhu.core.requests import AuthedRequest
from villages import selectors
from villages.forms import CadreForm
from villages.models import Cadre, CadrePosition, Term, Village
from villages.selectors import compare_terms
from villages.services import registry as services


@login_required
def village_list(request: AuthedRequest) -> HttpResponse:
    villages = (
        Village.objects.for_user(request.user)
        .active()
        .select_related("party_organization")
        .annotate(cadre_count=Count("cadres", filter=Q(cadres__is_active=True)))
    )
    return render(request, "villages/list.html", {"villages": villages})


@login_required
def village_detail(request: AuthedRequest, code: str) -> HttpResponse:
    village = get_object_or_404(
        Village.objects.for_user(request.user).select_related("party_organization", "subdistrict"),
        code=code,
    )
    positions = (
        CadrePosition.objects.current()
        .filter(village=village)
        .select_related("cadre", "term")
        .order_by("title", "cadre__name")
    )
    return render(
        request,
        "villages/detail.html",
        {
            "village": village,
            "positions": positions,
            "show_private": request.user.has_perm("villages.view_private_fields", village),
            "can_edit": request.user.has_perm("villages.change_cadre", village),
        },
    )


@login_required
def cadre_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    cadre = get_object_or_404(Cadre.objects.for_user(request.user).select_related("village"), pk=pk)
    positions = cadre.positions.select_related("term").order_by("-term__number", "title")
    return render(
        request,
        "villages/cadre_detail.html",
        {
            "cadre": cadre,
            "positions": positions,
            "show_private": request.user.has_perm("villages.view_private_fields", cadre),
            "can_edit": request.user.has_perm("villages.change_cadre", cadre),
        },
    )


@login_required
def cadre_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    cadre = get_object_or_404(Cadre.objects.for_user(request.user), pk=pk)
    if not request.user.has_perm("villages.change_cadre", cadre):
        raise PermissionDenied
    form = CadreForm(request.POST or None, request.FILES or None, instance=cadre)
    if request.method == "POST" and form.is_valid():
        services.cadre_save(actor=request.user, cadre=cadre, data=form.cleaned_data)
        messages.success(request, _("已保存 %(name)s 的信息。") % {"name": cadre.name})
        return redirect(cadre)
    return render(request, "villages/cadre_form.html", {"form": form, "cadre": cadre})


@login_required
def structure(request: AuthedRequest) -> HttpResponse:
    """Cadre age and education structure, term against term (seed row 10)."""
    comparison = compare_terms(Village.objects.for_user(request.user))
    return render(request, "villages/structure.html", {"comparison": comparison})


@login_required
def structure_people(request: AuthedRequest, term: int, figure: str) -> HttpResponse:
    """The people behind one figure of the structure table (in the viewer's villages)."""
    if figure not in selectors.FIGURES:
        raise Http404
    chosen = get_object_or_404(Term, pk=term)
    rows = selectors.figure_people(chosen, figure, Village.objects.for_user(request.user))
    ages = [r.age for r in rows]
    return render(
        request,
        "villages/structure_people.html",
        {
            "term": chosen,
            "label": selectors.FIGURES[figure][0],
            "rows": rows,
            "average_age": round(sum(ages) / len(ages), 1) if ages else None,
            "scope": selectors.scope_label(request.user),
        },
    )
