"""系统状态: is the portal healthy, and if not, what to do (for staff and administrators)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from jinhu.core import clock
from jinhu.core.requests import AuthedRequest
from operations import selectors


@never_cache
@login_required
def status(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm("operations.view_status"):
        raise PermissionDenied
    now = clock.now()
    items = selectors.status_items(now)
    return render(
        request,
        "operations/status.html",
        {
            "items": items,
            "now": now,
            "bad": [item for item in items if item.state == "bad"],
            "backups": selectors.recent_backups(),
            "drills": selectors.recent_drills(),
        },
    )
