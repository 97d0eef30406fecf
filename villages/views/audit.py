"""操作日志: the change history page and its export (sub-district staff only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from jinhu.core import tabular
from jinhu.core.requests import AuthedRequest
from villages import selectors
from villages.forms import AuditFilterForm
from villages.models import Village

AUDIT_EXPORT_MAX = 50_000


@login_required
def audit_log(request: AuthedRequest) -> HttpResponse:
    """操作日志: who changed what, for which village, when and from where; sign-ins too.
    Sub-district staff only; filters by person, village, kind and dates; exports."""
    if not request.user.has_perm("villages.view_audit_log"):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.entries(
        person=filters.get("person"),
        village=filters.get("village"),
        kind=filters.get("kind") or "",
        start=filters.get("start"),
        end=filters.get("end"),
    )
    names = dict(Village.objects.for_user(request.user).values_list("pk", "name"))
    shown = {k: str(v) for k, v in request.GET.items() if k in form.fields and v}
    query = urlencode(shown, doseq=False)
    if fmt := tabular.export_format(request):
        count = rows.count()
        if count > AUDIT_EXPORT_MAX:
            messages.error(
                request,
                _("共 %(n)s 条，超过导出上限 %(max)s 条：请缩小日期范围后再导出。")
                % {"n": count, "max": AUDIT_EXPORT_MAX},
            )
            return redirect(f"{request.path}?{query}")
        described = [selectors.describe(entry, names) for entry in rows.iterator(chunk_size=2000)]
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
            "entries": [selectors.describe(entry, names) for entry in page],
            "query": query,
        },
    )
