"""The device registry: registration, approval, tokens, PIN mapping, commands and their
results, reconciliation, and what a clock says about itself (INFO)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import secrets
import time
import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.core.protocols import zkteco
from attendance.models import (
    PARSED_KINDS,
    CommandState,
    Device,
    DeviceCommand,
    DeviceKind,
    DeviceRequest,
    DeviceStatus,
    PinMapping,
    Punch,
    PunchSource,
    QuarantinedLine,
    Reconciliation,
    RequestStatus,
)
from attendance.services.ingest.store import parse_later
from jinhu.core import clock
from jinhu.core.history import audit_actor
from jinhu.core.redact import token_digest
from villages.selectors import Cadre, Village

COMMAND_TTL = dt.timedelta(hours=24)


log = logging.getLogger(__name__)


def _staff_only(actor: User | None) -> None:
    if actor is not None and not actor.has_perm("attendance.manage_devices"):
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
    actor: User | None,
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
    # Punches before the installation day are sent to review; left unknown, none are
    # (a clock registered today has usually been on the office wall for a while).
    device.installed_on = installed_on or device.installed_on
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
    """Requests kept whole while the device was pending are parsed once it is trusted.

    Bodies kept only in part (refused traffic keeps a prefix) are not: the device was
    refused, so it still holds those records and sends them again now it is approved.
    """
    kept = [
        stored
        for stored in DeviceRequest.objects.filter(
            device=device, parsed_at__isnull=True, kind__in=PARSED_KINDS
        ).only("pk", "kind", "body", "body_size")
        if not stored.body_truncated
    ]
    if kept:
        DeviceRequest.objects.filter(pk__in=[s.pk for s in kept]).update(
            status=RequestStatus.ACCEPTED, refusal_reason=""
        )
        for stored in kept:
            parse_later(stored)


@transaction.atomic
def device_reject(*, actor: User, device: Device, reason: str = "") -> Device:
    _staff_only(actor)
    device.status, device.note = DeviceStatus.REJECTED, reason[:200]
    with audit_actor(actor):
        device.save(update_fields=["status", "note"])
    forget(device)
    return device


@transaction.atomic
def device_retire(*, actor: User, device: Device) -> Device:
    _staff_only(actor)
    device.status = DeviceStatus.RETIRED
    with audit_actor(actor):
        device.save(update_fields=["status"])
    forget(device)
    return device


@transaction.atomic
def token_rotate(*, actor: User | None, device: Device) -> str:
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
def pin_map(*, actor: User, device: Device, pin: str, cadre: Cadre) -> int:
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
    actor: User | None,
    device: Device,
    kind: str,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    nightly: bool = False,
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
        nightly=nightly,
    )
    zkteco.format_command(cmd.cmd_id, cmd.command)  # refuses anything not allowed
    cmd.save()
    commands_changed(device.pk)
    return cmd


def reconciliation_queue_all(*, day: dt.date | None = None) -> int:
    """Queue VERIFY SUM ATTLOG for ``day`` (yesterday) on every active clock, once: the
    ``one_nightly_reconciliation`` constraint, not a check before the insert, decides."""
    day = day or clock.today() - dt.timedelta(days=1)
    queued = 0
    for device in Device.objects.filter(kind=DeviceKind.ZK_CLOCK, status=DeviceStatus.ACTIVE):
        zone = zoneinfo.ZoneInfo(device.time_zone)
        start = dt.datetime.combine(day, dt.time(0), zone)
        end = dt.datetime.combine(day, dt.time(23, 59, 59), zone)
        try:
            with transaction.atomic():
                command_queue(
                    actor=None,
                    device=device,
                    kind=DeviceCommand.Kind.VERIFY_SUM,
                    start=start,
                    end=end,
                    nightly=True,
                )
        except IntegrityError:
            continue  # already queued (an earlier or a concurrent run): the constraint says so
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


def lookup_serial(serial: str) -> Any:
    now = time.monotonic()
    hit = _memo.get(f"sn:{serial}")
    if hit and now - hit[0] < MEMO_TTL:
        return hit[1]
    device = Device.objects.filter(serial_number=serial).first()
    _memo[f"sn:{serial}"] = (now, device)
    return device


def lookup_token(token: str) -> Any:
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
) -> Device | None:
    """An unknown device knocked: record it for staff to approve, never trust it.

    At most ``JINHU_DEVICE_PENDING_MAX`` pending devices are kept (they expire after
    ``JINHU_DEVICE_PENDING_DAYS`` without approval): past the cap, None, and the
    request is refused without creating a row, so a flood of invented serial numbers
    cannot fill the registry.
    """
    lookup = {"serial_number": serial} if serial else {"mac_address": mac}
    device = Device.objects.filter(**lookup).first()
    if device is None:
        if Device.objects.filter(status=DeviceStatus.PENDING).count() >= (
            settings.JINHU_DEVICE_PENDING_MAX
        ):
            return None
        device, _created = Device.objects.get_or_create(
            **lookup,
            defaults={
                "kind": kind,
                "status": DeviceStatus.PENDING,
                "push_version": push_version[:16],
            },
        )
    _memo.pop(f"sn:{serial}", None)
    return device


def devices_expire_pending(*, now: dt.datetime | None = None) -> int:
    """Pending devices nobody approved within ``JINHU_DEVICE_PENDING_DAYS`` are forgotten.

    Their refused requests stay (with the serial number in the query string).
    """
    cutoff = (now or clock.now()) - dt.timedelta(days=settings.JINHU_DEVICE_PENDING_DAYS)
    stale = Device.objects.filter(status=DeviceStatus.PENDING, created_at__lt=cutoff).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=cutoff)
    )
    ids = list(stale.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        DeviceRequest.objects.filter(device_id__in=ids).update(device=None)
        deleted, _ = Device.objects.filter(pk__in=ids, status=DeviceStatus.PENDING).delete()
    forget()
    return deleted


@transaction.atomic
def punch_review(*, actor: User, punch: Punch, accept: bool) -> Punch:
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


@transaction.atomic
def quarantine_resolve(*, actor: User, line: QuarantinedLine, note: str) -> QuarantinedLine:
    """Staff settle a quarantined line (checked on the device, entered by hand, or noise).

    The line stays, marked with who settled it and how; until every line of a request
    is settled, retention keeps the raw request in the database.
    """
    _staff_only(actor)
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("请写明处理情况。")})
    if line.resolved_at is not None:
        raise ValidationError(_("这一行已经处理过了。"))
    line.resolved_at = clock.now()
    line.resolved_by = actor
    line.resolution = note[:200]
    line.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return line


# ---------------------------------------------------------------------------
# Command results (devicecmd), processed when they arrive; INFO notes
# ---------------------------------------------------------------------------
@transaction.atomic
def command_results_apply(device: Device, text: str) -> int:
    """Mark commands acked/failed; VERIFY SUM results feed the reconciliation."""
    applied = 0
    for result in zkteco.parse_devicecmd(text):
        cmd = DeviceCommand.objects.filter(device=device, cmd_id=result.cmd_id).first()
        if cmd is None or cmd.state in (CommandState.ACKED, CommandState.FAILED):
            continue  # unknown, or a duplicate reply: ignore
        cmd.return_code = result.return_code
        cmd.result = result.values
        cmd.state = CommandState.ACKED if result.return_code == 0 else CommandState.FAILED
        cmd.finished_at = clock.now()
        cmd.save(update_fields=["return_code", "result", "state", "finished_at"])
        applied += 1
        if cmd.kind == DeviceCommand.Kind.VERIFY_SUM and cmd.state == CommandState.ACKED:
            reconciliation_record(cmd)
        if cmd.kind == DeviceCommand.Kind.INFO and "TransactionCount" in result.values:
            _note_attlog_count(device, result.values["TransactionCount"])
    return applied


def reconciliation_record(cmd: DeviceCommand) -> Reconciliation | None:
    try:
        device_count = int(cmd.result.get("AttlogSum", ""))
    except ValueError:
        return None
    day = timezone.localtime(cmd.period_start, zoneinfo.ZoneInfo(cmd.device.time_zone)).date()
    stored = Punch.objects.filter(
        device=cmd.device,
        record_id__isnull=True,  # (always, for ATTLOG: lets the content key's index serve)
        punched_at__gte=cmd.period_start,
        punched_at__lte=cmd.period_end,
        source=PunchSource.ZK_ATTLOG,
    ).count()
    rec, _created = Reconciliation.objects.update_or_create(
        device=cmd.device,
        day=day,
        defaults={"device_count": device_count, "stored_count": stored},
    )
    return rec


def _note_attlog_count(device: Device, value: str) -> None:
    """The device's own record count may only grow; a drop means its log was cleared."""
    try:
        count = int(value)
    except ValueError:
        return
    previous = device.last_attlog_count
    if previous is not None and count < previous:
        log.warning("device %s attlog count dropped from %s to %s", device.pk, previous, count)
        Device.objects.filter(pk=device.pk).update(
            last_attlog_count=count, log_reset_at=clock.now()
        )
    elif previous != count:
        Device.objects.filter(pk=device.pk).update(last_attlog_count=count)
    device.last_attlog_count = count


def stamp_note(device: Device, table: str, stamp: str) -> None:
    """Remember the last stamp a clock sent for a table (ATTLOG, OPERLOG, …): the
    handshake hands it back so that the clock resumes after it, not from the start.
    Runs inside the upload's transaction, so the stamp moves only with the stored data."""
    if stamp and device.stamps.get(table) != stamp:
        device.stamps = {**device.stamps, table: stamp[:20]}
        Device.objects.filter(pk=device.pk).update(stamps=device.stamps)


def push_version_note(device: Device, push_version: str) -> None:
    """Remember the PUSH protocol version a clock announced at its handshake."""
    push_version = push_version[:16]
    if push_version and push_version != device.push_version:
        device.push_version = push_version
        Device.objects.filter(pk=device.pk).update(push_version=push_version)


def note_info(device: Device, info: str) -> None:
    """getrequest ``INFO=``: firmware and the attlog count (only written when it changed)."""
    fields = zkteco.parse_info(info)
    if "attlogs" in fields:
        _note_attlog_count(device, fields["attlogs"])
    firmware = fields.get("firmware", "")[:64]
    if firmware and firmware != device.firmware:
        Device.objects.filter(pk=device.pk).update(firmware=firmware)
