"""The device panel: clocks and cameras, registration and approval, commands, PIN
mappings, quarantined lines, unmatched PINs and punches waiting for review."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from attendance import forms, selectors
from attendance.models import (
    Device,
    DeviceEvent,
    Punch,
    QuarantinedLine,
    Reconciliation,
)
from attendance.models.devices import DeviceKind, DeviceStatus
from attendance.services import devices as device_services
from attendance.services import liveness
from jinhu.core import clock
from jinhu.core.forms import apply_errors, errors_as_messages, refusal_as_message
from jinhu.core.requests import AuthedRequest
from villages.selectors import Cadre


def _staff(request: HttpRequest) -> None:
    if not request.user.has_perm("attendance.manage_devices"):
        raise PermissionDenied


def _count_per_device(rows):
    counted = rows.filter(device=OuterRef("pk")).order_by().values("device").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")), 0)


@login_required
def device_list(request: AuthedRequest) -> HttpResponse:
    """The device-health panel: silence, clock skew, resets, reconciliation, quarantine."""
    devices = list(
        Device.objects.for_user(request.user)
        .select_related("village")
        .annotate(
            # One small count per device each (the partial indexes), not a join of every
            # punch of every device with every quarantined line.
            quarantine=_count_per_device(QuarantinedLine.objects.unresolved()),
            unmatched=_count_per_device(Punch.objects.filter(cadre__isnull=True)),
            review=_count_per_device(Punch.objects.filter(needs_review=True)),
        )
        .order_by("status", "village__sort_order", "kind")
    )
    seen = liveness.last_seen(devices)
    now = clock.now()
    since = now - dt.timedelta(days=30)
    audits = dict(
        DeviceEvent.objects.filter(device__in=devices, occurred_at__gte=since)
        .exclude(audit_reason="")
        .values_list("device")
        .annotate(n=Count("pk"))
    )
    # The latest reconciliation per device (later days overwrite earlier ones).
    gaps = {
        r.device_id: r
        for r in Reconciliation.objects.filter(device__in=devices, day__gte=since.date()).order_by(
            "day"
        )
    }
    rows = []
    for device in devices:
        last = seen.get(device.pk)
        rows.append(
            {
                "device": device,
                "last_seen": last,
                "state": selectors.contact_state(device, last, now),
                "skew_minutes": round(device.clock_skew_seconds / 60)
                if device.clock_skew_seconds is not None
                else None,
                "audits": audits.get(device.pk, 0),
                "reconciliation": gaps.get(device.pk),
                "serial_gaps": len(selectors.serial_gaps(device))
                if device.kind == DeviceKind.HIK_TERMINAL
                else 0,
            }
        )
    return render(
        request,
        "attendance/devices.html",
        {
            "rows": rows,
            # The demo's devices are simulated: nothing feeds them while `make run` serves.
            "demo": any(d.village is not None and d.village.is_demo for d in devices),
            "can_manage": request.user.has_perm("attendance.manage_devices"),
            "register_form": forms.RegisterForm(),
        },
    )


@login_required
def device_register_view(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    form = forms.RegisterForm(request.POST or None)
    token = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            device, token = device_services.device_register(
                actor=request.user,
                kind=d["kind"],
                village=d["village"],
                serial_number=d["serial_number"] or None,
                mac_address=d["mac_address"] or None,
                name=d["name"],
                location=d["location"],
                time_zone=d["time_zone"],
                installed_on=d["installed_on"],
                allowed_network=d["allowed_network"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if not token:
                messages.success(request, _("设备已登记并启用。"))
                return redirect("attendance:device", pk=device.pk)
            return render(
                request,
                "attendance/device_token.html",
                {
                    "device": device,
                    "token": token,
                    "url": request.build_absolute_uri(f"/hik/events/{token}/"),
                },
            )
    return render(request, "attendance/device_register.html", {"form": form})


@login_required
def device_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(
        Device.objects.for_user(request.user).select_related("village"), pk=pk
    )
    can_manage = request.user.has_perm("attendance.manage_devices")
    form = forms.CommandForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "approve" and device.village is not None:
            device_services.device_register(
                actor=request.user,
                kind=device.kind,
                village=device.village,
                serial_number=device.serial_number,
                mac_address=device.mac_address,
            )
            messages.success(request, _("设备已批准启用，保留的数据将被解析。"))
            return redirect("attendance:device", pk=pk)
        if action == "reject":
            reject = forms.RejectDeviceForm(request.POST)
            reason = reject.cleaned_data["reason"] if reject.is_valid() else ""
            device_services.device_reject(actor=request.user, device=device, reason=reason)
            messages.success(request, _("已拒绝该设备。"))
            return redirect("attendance:devices")
        if action == "rotate":
            token = device_services.token_rotate(actor=request.user, device=device)
            return render(
                request,
                "attendance/device_token.html",
                {
                    "device": device,
                    "token": token,
                    "url": request.build_absolute_uri(f"/hik/events/{token}/"),
                },
            )
        if action == "command" and form.is_valid():
            try:
                device_services.command_queue(
                    actor=request.user,
                    device=device,
                    kind=form.cleaned_data["kind"],
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("命令已排队，设备下次轮询时下发。"))
                return redirect("attendance:device", pk=pk)
    return render(
        request,
        "attendance/device_detail.html",
        {
            "device": device,
            "form": form,
            "can_manage": can_manage,
            "last_seen": liveness.last_seen([device])[device.pk],
            "requests": device.requests.defer("body").order_by("-received_at")[:20],
            "commands": device.commands.order_by("-created_at")[:20],
            "reconciliations": device.reconciliations.order_by("-day")[:14],
            "audits": device.events.exclude(audit_reason="").order_by("-occurred_at")[:20],
            "serial_gaps": selectors.serial_gaps(device),
            "approve_form": forms.ApproveForm() if device.status == "pending" else None,
        },
    )


@login_required
def device_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    """Approve a pending device into a village (its kept requests are then parsed)."""
    device = get_object_or_404(
        Device.objects.for_user(request.user), pk=pk, status=DeviceStatus.PENDING
    )
    _staff(request)
    form = forms.ApproveForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, error.as_text())
        return redirect("attendance:device", pk=pk)
    village = form.cleaned_data["village"]
    device_services.device_register(
        actor=request.user,
        kind=device.kind,
        village=village,
        serial_number=device.serial_number,
        mac_address=device.mac_address,
        installed_on=form.cleaned_data["installed_on"],
    )
    messages.success(request, _("设备已批准并归属 %(v)s。") % {"v": village.name})
    return redirect("attendance:device", pk=pk)


@login_required
def quarantine(request: AuthedRequest) -> HttpResponse:
    """Lines no parser understood, waiting for staff (and settled ones, on request)."""
    lines = QuarantinedLine.objects.for_user(request.user).select_related(
        "device", "device__village", "request", "resolved_by"
    )
    can_resolve = request.user.has_perm("attendance.manage_devices")
    if request.method == "POST":
        if not can_resolve:
            raise PermissionDenied
        line = get_object_or_404(lines, pk=request.POST.get("line"))
        form = forms.QuarantineResolveForm(request.POST)
        if form.is_valid():
            try:
                device_services.quarantine_resolve(
                    actor=request.user, line=line, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                refusal_as_message(request, exc)
            else:
                messages.success(request, _("已标记为已处理。"))
        else:
            errors_as_messages(request, form)
        return redirect("attendance:quarantine")
    settled = request.GET.get("show") == "resolved"
    lines = lines.filter(resolved_at__isnull=not settled)
    if settled:
        lines = lines.order_by("-resolved_at")
    page = Paginator(lines, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "attendance/quarantine.html",
        {"page": page, "settled": settled, "can_resolve": can_resolve and not settled},
    )


@login_required
def unmatched(request: AuthedRequest) -> HttpResponse:
    """Punches from PINs no cadre is mapped to, grouped; mapping replays them."""
    groups = (
        Punch.objects.for_user(request.user)
        .filter(cadre__isnull=True)
        .values(
            "device_id",
            "device__name",
            "device__serial_number",
            "device__mac_address",
            "device__village__name",
            "device__village_id",
            "pin",
        )
        .annotate(n=Count("pk"), first=Min("punched_at"), last=Max("punched_at"))
        .order_by("device_id", "pin")
    )
    if request.method == "POST":
        device = get_object_or_404(
            Device.objects.for_user(request.user), pk=request.POST.get("device")
        )
        form = forms.PinMapForm(request.POST, village=device.village)
        if form.is_valid():
            try:
                updated = device_services.pin_map(
                    actor=request.user,
                    device=device,
                    pin=form.cleaned_data["pin"],
                    cadre=form.cleaned_data["cadre"],
                )
            except (ValidationError, PermissionDenied) as error:
                refusal_as_message(request, error)
            else:
                messages.success(
                    request, _("已对应，%(n)s 条打卡记录重新计入考勤。") % {"n": updated}
                )
        else:
            errors_as_messages(request, form)
        return redirect("attendance:unmatched")
    cadres = {}
    for village_id in {g["device__village_id"] for g in groups}:
        cadres[village_id] = list(Cadre.objects.filter(village_id=village_id, is_active=True))
    rows = [{**g, "cadres": cadres.get(g["device__village_id"], [])} for g in groups]
    return render(request, "attendance/unmatched.html", {"rows": rows})


@login_required
def review(request: AuthedRequest) -> HttpResponse:
    punches = (
        Punch.objects.for_user(request.user)
        .filter(needs_review=True)
        .select_related("device", "village", "cadre")
    )
    if request.method == "POST":
        _staff(request)
        punch = get_object_or_404(punches, pk=request.POST.get("punch"))
        decision = forms.PunchReviewForm(request.POST)
        if decision.is_valid():
            device_services.punch_review(
                actor=request.user, punch=punch, accept=decision.cleaned_data["accept"]
            )
            messages.success(request, _("已处理。"))
        else:
            errors_as_messages(request, decision)
        return redirect("attendance:review")
    page = Paginator(punches, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "attendance/review.html",
        {"page": page, "can_review": request.user.has_perm("attendance.manage_devices")},
    )
