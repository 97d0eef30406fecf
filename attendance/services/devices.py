"""The device registry: registration, approval, tokens, PIN mapping, commands."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import secrets
import time
import zoneinfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import Device, DeviceCommand, DeviceRequest, PinMapping, Punch
from attendance.models.devices import DeviceKind, DeviceStatus
from attendance.models.ingest import CommandState
from attendance.protocols import zkteco
from jinhu.core import clock
from villages.models import Cadre, Village
from villages.roles import sees_all_villages
from villages.services import audit_actor

COMMAND_TTL = dt.timedelta(hours=24)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _staff_only(actor) -> None:
    if actor is not None and not sees_all_villages(actor):
        raise PermissionDenied(_("只有街道工作人员可以管理设备。"))


def _normalise_mac(mac: str | None) -> str | None:
    if not mac:
        return None
    cleaned = mac.strip().lower().replace("-", ":")
    if len(cleaned) != 17 or any(c not in "0123456789abcdef:" for c in cleaned):
        raise ValidationError({"mac_address": _("MAC 地址格式不正确，例如 c0:56:e3:12:34:56。")})
    return cleaned


@transaction.atomic
def device_register(
    *,
    actor,
    kind: str,
    village: Village,
    serial_number: str | None = None,
    mac_address: str | None = None,
    name: str = "",
    location: str = "",
    time_zone: str = "Asia/Shanghai",
    installed_on: dt.date | None = None,
    allowed_network: str = "",
) -> tuple[Device, str | None]:
    """Register and approve a device; returns it and, for Hikvision, its token (shown once).

    A device that already knocked (pending) is approved in place, keeping its
    stored requests, which are then parsed.
    """
    _staff_only(actor)
    if serial_number and not zkteco.valid_serial(serial_number):
        raise ValidationError({"serial_number": _("序列号只能包含字母、数字、连字符，4–40 位。")})
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"time_zone": _("未知的时区：%(tz)s") % {"tz": time_zone}}) from None
    if allowed_network:
        try:
            ipaddress.ip_network(allowed_network, strict=False)
        except ValueError:
            raise ValidationError({"allowed_network": _("网段格式不正确。")}) from None
    mac = _normalise_mac(mac_address)
    device = None
    if serial_number:
        device = Device.objects.filter(serial_number=serial_number).first()
    if device is None and mac:
        device = Device.objects.filter(mac_address=mac).first()
    device = device or Device()
    device.kind, device.village = kind, village
    device.serial_number = serial_number or device.serial_number
    device.mac_address = mac or device.mac_address
    device.name = name or device.name or f"{village.name}{DeviceKind(kind).label}"
    device.location, device.time_zone = location or device.location, time_zone
    device.installed_on = installed_on or device.installed_on or clock.today()
    device.allowed_network = allowed_network
    if device.status != DeviceStatus.ACTIVE:  # registering twice changes nothing
        device.approved_by, device.approved_at = actor, clock.now()
    device.status = DeviceStatus.ACTIVE
    token = None
    if kind == DeviceKind.HIK_TERMINAL and not device.token_hash:
        token = secrets.token_urlsafe(24)
        device.token_hash, device.token_hint = token_digest(token), token[-4:]
    device.full_clean()
    with audit_actor(actor):
        device.save()
    _parse_kept_requests(device)
    forget(device)
    return device, token


def _parse_kept_requests(device: Device) -> None:
    """Requests kept while the device was pending are parsed once it is trusted."""
    from attendance.tasks import request_parse

    pending_ids = list(
        DeviceRequest.objects.filter(
            device=device,
            parsed_at__isnull=True,
            kind__in=("attlog", "operlog", "rtlog", "hik_event"),
        ).values_list("pk", flat=True)
    )
    if pending_ids:
        DeviceRequest.objects.filter(pk__in=pending_ids).update(
            status="accepted", refusal_reason=""
        )
        for pk in pending_ids:
            request_parse.delay_on_commit(pk)


@transaction.atomic
def device_reject(*, actor, device: Device, reason: str = "") -> Device:
    _staff_only(actor)
    device.status, device.note = DeviceStatus.REJECTED, reason[:200]
    with audit_actor(actor):
        device.save(update_fields=["status", "note"])
    forget(device)
    return device


@transaction.atomic
def device_retire(*, actor, device: Device) -> Device:
    _staff_only(actor)
    device.status = DeviceStatus.RETIRED
    with audit_actor(actor):
        device.save(update_fields=["status"])
    forget(device)
    return device


@transaction.atomic
def token_rotate(*, actor, device: Device) -> str:
    """A new secret for a Hikvision device; the old one stops working at once."""
    _staff_only(actor)
    if device.kind != DeviceKind.HIK_TERMINAL:
        raise ValidationError(_("只有海康终端使用令牌。"))
    token = secrets.token_urlsafe(24)
    device.token_hash, device.token_hint = token_digest(token), token[-4:]
    with audit_actor(actor):
        device.save(update_fields=["token_hash", "token_hint"])
    forget(device)
    return token


@transaction.atomic
def pin_map(*, actor, device: Device, pin: str, cadre: Cadre) -> int:
    """Map a device PIN to a cadre and replay its unmatched punches; returns their number."""
    if actor is not None and not actor.has_perm("attendance.manage_roster", cadre):
        raise PermissionDenied(_("您无权为该村登记工号。"))
    if cadre.village_id != device.village_id:
        raise ValidationError(_("该干部不属于设备所在的村。"))
    with audit_actor(actor):
        PinMapping.objects.update_or_create(
            device=device, pin=pin, defaults={"cadre": cadre, "created_by": actor}
        )
    # The inbox's punches: unmatched ones (punch_unmatched). Punches already credited to
    # a cadre stay theirs: a PIN handed to a new cadre after an election changes only
    # what comes next.
    punches = Punch.objects.filter(device=device, pin=pin, cadre__isnull=True)
    days = {timezone.localtime(t).date() for t in punches.values_list("punched_at", flat=True)}
    updated = punches.update(cadre=cadre, unmatched_reason="")
    from attendance.services.outcomes import outcomes_judge_later

    outcomes_judge_later(device.village_id, days)
    return updated


# ---------------------------------------------------------------------------
# Commands (getrequest → devicecmd)
# ---------------------------------------------------------------------------
def _cmd_id(prefix: str) -> str:
    return (prefix + secrets.token_hex(8)).upper()[:16]


def _fmt(moment: dt.datetime, zone: str) -> str:
    return timezone.localtime(moment, zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


@transaction.atomic
def command_queue(
    *,
    actor,
    device: Device,
    kind: str,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> DeviceCommand:
    """Queue one of the allowed commands. There is no way to queue a clearing command."""
    _staff_only(actor)
    if device.kind != DeviceKind.ZK_CLOCK or device.status != DeviceStatus.ACTIVE:
        raise ValidationError(_("只能向已启用的考勤机下发命令。"))
    if kind in (DeviceCommand.Kind.DATA_QUERY, DeviceCommand.Kind.VERIFY_SUM):
        if not start or not end or end <= start:
            raise ValidationError(_("请填写正确的起止时间。"))
        table = (
            "DATA QUERY ATTLOG" if kind == DeviceCommand.Kind.DATA_QUERY else "VERIFY SUM ATTLOG"
        )
        zone = device.time_zone
        command = f"{table} StartTime={_fmt(start, zone)}\tEndTime={_fmt(end, zone)}"
    elif kind == DeviceCommand.Kind.INFO:
        command = "INFO"
    else:
        raise ValidationError(_("不支持的命令。"))
    cmd = DeviceCommand(
        device=device,
        cmd_id=_cmd_id({"data_query": "Q", "verify_sum": "V", "info": "I"}[kind]),
        kind=kind,
        command=command,
        period_start=start,
        period_end=end,
        created_by=actor,
        expires_at=clock.now() + COMMAND_TTL,
    )
    zkteco.format_command(cmd.cmd_id, cmd.command)  # refuses anything not allowed
    cmd.save()
    commands_changed(device.pk)
    return cmd


def reconciliation_queue_all(*, day: dt.date | None = None) -> int:
    """Queue VERIFY SUM ATTLOG for ``day`` (yesterday) on every active clock, once."""
    day = day or clock.today() - dt.timedelta(days=1)
    queued = 0
    for device in Device.objects.filter(kind=DeviceKind.ZK_CLOCK, status=DeviceStatus.ACTIVE):
        zone = zoneinfo.ZoneInfo(device.time_zone)
        start = dt.datetime.combine(day, dt.time(0), zone)
        end = dt.datetime.combine(day, dt.time(23, 59, 59), zone)
        if DeviceCommand.objects.filter(
            device=device, kind=DeviceCommand.Kind.VERIFY_SUM, period_start=start
        ).exists():
            continue
        command_queue(
            actor=None, device=device, kind=DeviceCommand.Kind.VERIFY_SUM, start=start, end=end
        )
        queued += 1
    return queued


def commands_take(device_id: int, *, limit: int = 5) -> list[str]:
    """Pending commands as ``C:<id>:<cmd>`` lines, marked sent (getrequest)."""
    with transaction.atomic():
        commands = list(
            DeviceCommand.objects.select_for_update(skip_locked=True)
            .filter(device_id=device_id, state=CommandState.PENDING, expires_at__gt=clock.now())
            .order_by("created_at")[:limit]
        )
        if not commands:
            return []
        DeviceCommand.objects.filter(pk__in=[c.pk for c in commands]).update(
            state=CommandState.SENT, sent_at=clock.now()
        )
    return [zkteco.format_command(c.cmd_id, c.command) for c in commands]


def commands_retry_stale(
    *, sent_timeout: dt.timedelta = dt.timedelta(minutes=10), attempts: int = 3
) -> int:
    """Sent but unanswered commands expire; a retry gets a new CmdID (at-least-once)."""
    now = clock.now()
    stale = DeviceCommand.objects.filter(state=CommandState.SENT, sent_at__lt=now - sent_timeout)
    retried = 0
    for cmd in stale:
        with transaction.atomic():
            if not DeviceCommand.objects.filter(pk=cmd.pk, state=CommandState.SENT).update(
                state=CommandState.EXPIRED, finished_at=now
            ):
                continue  # answered meanwhile
            depth, parent = 1, cmd
            while parent.retry_of_id and depth < attempts:
                parent = DeviceCommand.objects.get(pk=parent.retry_of_id)
                depth += 1
            if depth < attempts and cmd.expires_at > now:
                DeviceCommand.objects.create(
                    device_id=cmd.device_id,
                    cmd_id=_cmd_id(cmd.cmd_id[0]),
                    kind=cmd.kind,
                    command=cmd.command,
                    period_start=cmd.period_start,
                    period_end=cmd.period_end,
                    created_by=cmd.created_by,
                    expires_at=cmd.expires_at,
                    retry_of=cmd,
                )
                commands_changed(cmd.device_id)
                retried += 1
    DeviceCommand.objects.filter(state=CommandState.PENDING, expires_at__lte=now).update(
        state=CommandState.EXPIRED, finished_at=now
    )
    return retried


# ---------------------------------------------------------------------------
# A small per-process memo of device identity, so heartbeats need no query.
# ---------------------------------------------------------------------------
MEMO_TTL = 10.0
_memo: dict[str, tuple[float, object]] = {}
_cmd_checked: dict[int, float] = {}
COMMAND_CHECK_INTERVAL = 5.0


def lookup_serial(serial: str):
    now = time.monotonic()
    hit = _memo.get(f"sn:{serial}")
    if hit and now - hit[0] < MEMO_TTL:
        return hit[1]
    device = Device.objects.filter(serial_number=serial).first()
    _memo[f"sn:{serial}"] = (now, device)
    return device


def lookup_token(token: str):
    now = time.monotonic()
    digest = token_digest(token)
    hit = _memo.get(f"tk:{digest}")
    if hit and now - hit[0] < MEMO_TTL:
        return hit[1]
    device = Device.objects.filter(token_hash=digest).first()
    _memo[f"tk:{digest}"] = (now, device)
    return device


def forget(device: Device | None = None) -> None:
    if device is None:
        _memo.clear()
        _cmd_checked.clear()
        return
    for key in [k for k, (_t, d) in _memo.items() if getattr(d, "pk", None) == device.pk]:
        _memo.pop(key, None)
    if device.serial_number:
        _memo.pop(f"sn:{device.serial_number}", None)


def commands_due(device_id: int) -> bool:
    """Whether to look for commands on this poll (at most every few seconds per device)."""
    now = time.monotonic()
    if now - _cmd_checked.get(device_id, -COMMAND_CHECK_INTERVAL) < COMMAND_CHECK_INTERVAL:
        return False
    _cmd_checked[device_id] = now
    return True


def commands_changed(device_id: int) -> None:
    _cmd_checked.pop(device_id, None)


def allowed_from(device: Device, remote_addr: str | None) -> bool:
    if not device.allowed_network:
        return True
    try:
        return ipaddress.ip_address(remote_addr or "") in ipaddress.ip_network(
            device.allowed_network, strict=False
        )
    except ValueError:
        return False


def ensure_pending(
    *, serial: str | None = None, mac: str | None = None, kind: str, push_version: str = ""
) -> Device:
    """An unknown device knocked: record it for staff to approve, never trust it."""
    lookup = {"serial_number": serial} if serial else {"mac_address": mac}
    device, _created = Device.objects.get_or_create(
        **lookup,
        defaults={"kind": kind, "status": DeviceStatus.PENDING, "push_version": push_version[:16]},
    )
    _memo.pop(f"sn:{serial}", None)
    return device


@transaction.atomic
def punch_review(*, actor, punch: Punch, accept: bool) -> Punch:
    """Staff decide on a flagged punch: accepted ones count, rejected ones stay out."""
    _staff_only(actor)
    punch.needs_review = not accept
    punch.reviewed_by = actor
    if not accept and "rejected" not in punch.flags:
        punch.flags = [*punch.flags, "rejected"]
    punch.save(update_fields=["needs_review", "reviewed_by", "flags"])
    if punch.cadre_id:
        from attendance.services.outcomes import outcomes_judge_later

        outcomes_judge_later(punch.village_id, [timezone.localtime(punch.punched_at).date()])
    return punch
