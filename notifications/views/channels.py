"""提醒设置: where a person's (or their village group's) notices also go, and the
delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render

from jinhu.core.forms import apply_errors, refusal_as_message
from jinhu.core.requests import AuthedRequest
from notifications import selectors
from notifications.forms import ChannelForm
from notifications.models import DeliveryStatus
from notifications.services import inbox as services
from notifications.services import send


def _manageable(request: AuthedRequest, channels) -> set[int]:
    return {c.pk for c in channels if selectors.may_manage(request.user, c)}


@login_required
def channel_list(request: AuthedRequest) -> HttpResponse:
    form = ChannelForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            refusal_as_message(request, exc, "无权为该村设置通道。")
        else:
            messages.success(request, "通道已添加。可点“发送测试消息”确认设置正确。")
            return redirect("notifications:settings")
    channels = list(selectors.channels_for(request.user))
    hours = send.quiet_hours()
    return render(
        request,
        "notifications/settings.html",
        {
            "channels": channels,
            "manageable": _manageable(request, channels),
            "form": form,
            "quiet": f"{hours.start:%H:%M}–{hours.end:%H:%M}" if hours else "",
        },
    )


@login_required
def channel_action(request: AuthedRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(selectors.channels_for(request.user), pk=pk)
    if request.method != "POST":  # (another village's channel is a 404 first)
        return HttpResponseNotAllowed(["POST"])
    action = request.POST.get("action")
    try:
        if action == "test":
            services.channel_test(actor=request.user, channel=channel)
            messages.success(request, "测试消息已排队发送，请在发送记录中查看结果。")
        elif action in ("enable", "disable"):
            services.channel_enable(actor=request.user, channel=channel, active=action == "enable")
            messages.success(request, "通道已启用。" if action == "enable" else "通道已停用。")
        elif action == "delete":
            services.channel_delete(actor=request.user, channel=channel)
            messages.success(request, "通道已删除。")
        else:
            messages.error(request, "未知的操作。")
    except (ValidationError, PermissionDenied) as exc:
        refusal_as_message(request, exc, "无权操作该通道。")
    return redirect("notifications:settings")


@login_required
def deliveries(request: AuthedRequest) -> HttpResponse:
    rows = selectors.deliveries_for(request.user)
    channels = list(selectors.channels_for(request.user))
    manageable = _manageable(request, channels)
    if request.method == "POST":
        delivery = get_object_or_404(rows, pk=request.POST.get("delivery"))
        try:
            services.delivery_retry(actor=request.user, delivery=delivery)
        except (ValidationError, PermissionDenied) as exc:
            refusal_as_message(request, exc, "无权重发。")
        else:
            messages.success(request, "已重新排队发送。")
        return redirect("notifications:deliveries")
    channel = request.GET.get("channel", "")
    if channel.isdigit():
        rows = rows.filter(channel_id=int(channel))
    status = request.GET.get("status", "")
    if status in DeliveryStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/deliveries.html",
        {
            "page": page,
            "manageable": manageable,
            "statuses": DeliveryStatus.choices,
            "status": status,
            "retryable": (DeliveryStatus.FAILED, DeliveryStatus.SKIPPED),
        },
    )
