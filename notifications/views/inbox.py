"""提醒: the bell's page. Everyone sees only their own notices, about what they see."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jinhu.core.requests import AuthedRequest
from notifications import selectors
from notifications.services import inbox as inbox_services


@never_cache
@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    unread_only = request.GET.get("show") != "all"
    notices = selectors.inbox(request.user, unread_only=unread_only)
    page = Paginator(notices, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user),
            "can_manage_rules": request.user.has_perm("notifications.manage_rules"),
        },
    )


@login_required
def notice_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark the notice read and go to what it is about (or back to the list). Another
    person's notice is a 404 whatever the method."""
    notices = selectors.inbox(request.user)
    notice = get_object_or_404(notices, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    inbox_services.mark_read(actor=request.user, notices=notices.filter(pk=notice.pk))
    if request.POST.get("go") and url_has_allowed_host_and_scheme(
        notice.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notice.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request: AuthedRequest) -> HttpResponse:
    count = inbox_services.mark_read(actor=request.user, notices=selectors.inbox(request.user))
    messages.success(request, f"已将 {count} 条提醒标为已读。")
    return redirect("notifications:inbox")
