from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from villages import audit, services, tabular
from villages.forms import AuditFilterForm, CadreForm
from villages.models import Cadre, CadrePosition, Village
from villages.stats import compare_terms


@login_required
def village_list(request: HttpRequest) -> HttpResponse:
    villages = (
        Village.objects.for_user(request.user)
        .active()
        .select_related("party_organization")
        .annotate(cadre_count=Count("cadres", filter=Q(cadres__is_active=True)))
    )
    return render(request, "villages/list.html", {"villages": villages})


@login_required
def village_detail(request: HttpRequest, code: str) -> HttpResponse:
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
def cadre_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
def cadre_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
def structure(request: HttpRequest) -> HttpResponse:
    """Cadre age and education structure, term against term (seed row 10)."""
    comparison = compare_terms(Village.objects.for_user(request.user))
    return render(request, "villages/structure.html", {"comparison": comparison})


AUDIT_EXPORT_MAX = 50_000


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """操作日志: who changed what, for which village, when and from where; sign-ins too.
    Sub-district staff only; filters by person, village, kind and dates; exports."""
    if not request.user.has_perm("villages.view_audit_log"):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = audit.entries(
        person=filters.get("person"),
        village=filters.get("village"),
        kind=filters.get("kind") or "",
        start=filters.get("start"),
        end=filters.get("end"),
    )
    names = dict(Village.objects.for_user(request.user).values_list("pk", "name"))
    query = urlencode({k: v for k, v in request.GET.items() if k in form.fields and v}, doseq=False)
    if fmt := tabular.export_format(request):
        count = rows.count()
        if count > AUDIT_EXPORT_MAX:
            messages.error(
                request,
                _("共 %(n)s 条，超过导出上限 %(max)s 条：请缩小日期范围后再导出。")
                % {"n": count, "max": AUDIT_EXPORT_MAX},
            )
            return redirect(f"{request.path}?{query}")
        described = [audit.describe(entry, names) for entry in rows.iterator(chunk_size=2000)]
        columns = [
            tabular.Column(header, lambda d, k=key: d[k])
            for header, key in (
                ("时间", "at"),
                ("操作人", "person"),
                ("地址", "address"),
                ("村（社区）", "village"),
                ("类别", "kind"),
                ("对象", "object"),
                ("操作", "action"),
                ("变更内容", "changes"),
            )
        ]
        return tabular.download(tabular.sheet_of("操作日志", columns, described), "操作日志", fmt)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "villages/audit_log.html",
        {
            "form": form,
            "page": page,
            "entries": [audit.describe(entry, names) for entry in page],
            "query": query,
        },
    )
