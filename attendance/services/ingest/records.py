"""Protocol records → rows: the one place that decides what a record becomes.

The pure protocol modules return dataclasses (``zkteco.AttlogRecord``,
``RtlogRecord``, ``OplogRecord``, ``UserRecord``, ``OtherRecord``,
``hikvision.HikEvent``) or ``Malformed``. ``convert`` turns any list of them into
punch rows, device events and malformed lines, with everything a row needs from
its request and device carried in one ``Context``. Flags (future, before
installation, clock skew) are decided in ``punch_row`` and nowhere else; the SQL
path (``attlog_sql``) applies the same rules in SQL and is pinned to this module
by ``tests/devices/test_attlog_sql.py``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from attendance.core.protocols import Malformed, hikvision, zkteco
from attendance.models import Device, DeviceEvent, DeviceRequest, PinMapping, PunchSource

#: a punch later than its receipt by more than this is in the future
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
#: a real-time punch (or upload) further than this from its receipt: the clock is off
SKEW_TOLERANCE = dt.timedelta(minutes=10)


@dataclass
class ParseResult:
    punches_new: int = 0
    punches_duplicate: int = 0
    quarantined: int = 0
    events: int = 0
    #: local days with new matched punches (to judge again)
    days: set[dt.date] = field(default_factory=set)

    def add(self, other: ParseResult) -> None:
        self.punches_new += other.punches_new
        self.punches_duplicate += other.punches_duplicate
        self.quarantined += other.quarantined
        self.events += other.events
        self.days |= other.days

    def as_dict(self) -> dict[str, int]:
        return {
            "punches_new": self.punches_new,
            "punches_duplicate": self.punches_duplicate,
            "quarantined": self.quarantined,
            "events": self.events,
        }


class PunchRow(NamedTuple):
    """A punch on its way into the table: plain values, no model instance (that cost
    37 µs a row, a third of the whole parse, when measured with bench/device_ingest.py)."""

    device_id: int
    village_id: int
    source: str
    pin: str
    cadre_id: int | None
    punched_at: dt.datetime
    raw_time: str
    status: int
    verify: int
    is_biometric: bool
    record_id: int | None
    request_id: int
    line_no: int
    received_at: dt.datetime
    flags: tuple[str, ...]
    needs_review: bool
    unmatched_reason: str


class PunchSpec(NamedTuple):
    """What a protocol record says about a presence, before the request's context."""

    source: str
    line_no: int
    pin: str
    moment: dt.datetime  # aware
    raw_time: str
    status: int
    verify: int
    biometric: bool
    record_id: int | None
    #: sent as it happened (RTLOG, Hikvision ``currentEvent``): judged for clock skew alone
    realtime: bool


class EventSpec(NamedTuple):
    kind: str
    line_no: int
    summary: str
    payload: dict[str, Any]
    occurred_at: dt.datetime | None = None
    code: int | None = None
    record_id: int | None = None
    audit_reason: str = ""
    pictures: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Context:
    """One stored request and its device: what every row of the request shares."""

    request_id: int
    received_at: dt.datetime
    encoding: str
    device_id: int
    village_id: int
    zone: zoneinfo.ZoneInfo
    mapping: dict[str, int]
    install_start: dt.datetime | None
    #: the whole upload came from a clock off by more than SKEW_TOLERANCE
    skewed: bool

    @classmethod
    def of(cls, stored: DeviceRequest, device: Device) -> Context:
        zone = zoneinfo.ZoneInfo(device.time_zone)
        # Only requests of registered devices (which belong to a village) are parsed.
        assert device.village_id is not None
        return cls(
            request_id=stored.pk,
            received_at=stored.received_at,
            encoding=stored.encoding,
            device_id=device.pk,
            village_id=device.village_id,
            zone=zone,
            mapping=dict(PinMapping.objects.filter(device=device).values_list("pin", "cadre_id")),
            install_start=install_start(device),
            skewed=is_skewed(stored.clock_offset),
        )


def install_start(device: Device) -> dt.datetime | None:
    if not device.installed_on:
        return None
    return dt.datetime.combine(device.installed_on, dt.time(), zoneinfo.ZoneInfo(device.time_zone))


def is_skewed(clock_offset: int | None) -> bool:
    return clock_offset is not None and abs(clock_offset) > SKEW_TOLERANCE.total_seconds()


#: an upload whose lines span more than this is a backlog, not a real-time upload
REALTIME_SPAN = dt.timedelta(minutes=15)


def clock_offset(
    span: zkteco.Span | None,
    *,
    zone: dt.tzinfo,
    received_at: dt.datetime,
    follows_poll: bool,
) -> int | None:
    """Seconds the clock behind an ATTLOG upload is behind the server (see
    ``DeviceRequest.clock_offset``), or None when the upload says nothing about its clock.

    An upload tells the device's time only when it is real-time. A clock in real-time
    mode (``Realtime=1``) polls while idle and posts each punch as it happens: an
    upload of lines close together that ``follows_poll`` is real-time. A backlog (a
    device back after a silence, posts back to back, a re-uploaded log) is old by
    nature and is not measured. (``store.clock_offset_of`` also leaves out resent
    batches and answers to a backfill command.)
    """
    if span is None or not follows_poll or span.newest - span.oldest > REALTIME_SPAN:
        return None
    return int((received_at - span.newest.replace(tzinfo=zone)).total_seconds())


def punch_row(ctx: Context, spec: PunchSpec) -> PunchRow:
    received = ctx.received_at
    flags: tuple[str, ...] = ()
    if spec.moment > received + FUTURE_TOLERANCE:
        flags += ("future",)
    if ctx.install_start is not None and spec.moment < ctx.install_start:
        flags += ("before_install",)
    if ctx.skewed or (spec.realtime and abs(received - spec.moment) > SKEW_TOLERANCE):
        flags += ("clock_skew",)
    cadre_id = ctx.mapping.get(spec.pin)
    return PunchRow(
        ctx.device_id,
        ctx.village_id,
        spec.source,
        spec.pin,
        cadre_id,
        spec.moment,
        spec.raw_time,
        spec.status,
        spec.verify,
        spec.biometric,
        spec.record_id,
        ctx.request_id,
        spec.line_no,
        received,
        flags,
        bool(flags),
        "" if cadre_id else f"设备工号 {spec.pin} 尚未对应干部",
    )


def printable(text: str) -> str:
    """PostgreSQL text cannot hold NUL; garbage bodies can. Keep it visible instead."""
    return text.replace("\x00", "\\x00")


def event_row(ctx: Context, spec: EventSpec, picture_sha256: str = "") -> DeviceEvent:
    return DeviceEvent(
        device_id=ctx.device_id,
        request_id=ctx.request_id,
        line_no=spec.line_no,
        kind=spec.kind,
        occurred_at=spec.occurred_at,
        code=spec.code,
        record_id=spec.record_id,
        summary=printable(spec.summary)[:200],
        payload=spec.payload,
        audit_reason=spec.audit_reason,
        encoding=ctx.encoding,
        picture_sha256=picture_sha256,
    )


# ---------------------------------------------------------------------------
# One small adapter per record type
# ---------------------------------------------------------------------------
def _attlog(rec: zkteco.AttlogRecord, ctx: Context) -> PunchSpec:
    return PunchSpec(
        PunchSource.ZK_ATTLOG,
        rec.line_no,
        rec.pin,
        rec.aware_time(ctx.zone),
        rec.raw_time,
        rec.status,
        rec.verify,
        rec.is_biometric,
        None,
        False,  # an ATTLOG upload is judged for skew as a whole (Context.skewed)
    )


def _rtlog(rec: zkteco.RtlogRecord, ctx: Context) -> PunchSpec | EventSpec:
    moment = rec.local_time.replace(tzinfo=ctx.zone)
    if rec.is_presence:
        return PunchSpec(
            PunchSource.ZK_RTLOG,
            rec.line_no,
            rec.pin,
            moment,
            rec.raw_time,
            rec.inout,
            rec.verify,
            rec.is_biometric,
            rec.index,
            True,
        )
    return EventSpec(
        DeviceEvent.Kind.ACCESS,
        rec.line_no,
        f"门禁事件 {rec.event}",
        {"raw": rec.raw},
        occurred_at=moment,
        code=rec.event,
        record_id=rec.index,
    )


def _oplog(rec: zkteco.OplogRecord, ctx: Context) -> EventSpec:
    return EventSpec(
        DeviceEvent.Kind.OPLOG,
        rec.line_no,
        f"操作 {rec.op_type}（操作员 {rec.operator}）",
        {"raw": rec.raw, "values": list(rec.values)},
        occurred_at=rec.local_time.replace(tzinfo=ctx.zone),
        code=rec.op_type,
        audit_reason=rec.audit_reason or "",
    )


def _user(rec: zkteco.UserRecord, ctx: Context) -> EventSpec:
    return EventSpec(
        DeviceEvent.Kind.USER,
        rec.line_no,
        f"人员 {rec.pin} {rec.name}",
        {"pin": rec.pin, "name": printable(rec.name), "privilege": rec.privilege, "card": rec.card},
    )


def _other(rec: zkteco.OtherRecord, ctx: Context) -> EventSpec:
    return EventSpec(DeviceEvent.Kind.TEMPLATE, rec.line_no, f"{rec.tag} 记录", {"tag": rec.tag})


def _hik(event: hikvision.HikEvent, ctx: Context) -> PunchSpec | EventSpec | Malformed | None:
    if event.is_heartbeat:
        return None
    moment = event.date_time
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=ctx.zone)  # no offset sent: the device's zone
    if event.is_presence:
        if moment is None:
            return Malformed(
                event.part_no, event.date_time_raw, f"事件时间格式不正确：{event.date_time_raw!r}"
            )
        return PunchSpec(
            PunchSource.HIK,
            event.part_no,
            event.employee_no,
            moment,
            event.date_time_raw[:40],
            -1,
            event.minor or -1,
            event.is_biometric,
            event.serial_no,
            event.current_event,
        )
    if event.minor in hikvision.FAILED_MINORS:
        kind = DeviceEvent.Kind.ATTEMPT
    elif event.is_access:
        kind = DeviceEvent.Kind.ACCESS
    else:
        kind = DeviceEvent.Kind.CAMERA
    return EventSpec(
        kind,
        event.part_no,
        hikvision.FAILED_MINORS.get(event.minor or -1)
        or f"{event.event_type} {event.channel_name}",
        {k: v for k, v in event.raw.items() if k != "AccessControllerEvent"},
        occurred_at=moment,
        code=event.minor,
        record_id=event.serial_no,
        pictures=event.pictures,
    )


_ADAPTERS: dict[type, Callable[[Any, Context], Any]] = {
    zkteco.AttlogRecord: _attlog,
    zkteco.RtlogRecord: _rtlog,
    zkteco.OplogRecord: _oplog,
    zkteco.UserRecord: _user,
    zkteco.OtherRecord: _other,
    hikvision.HikEvent: _hik,
}


@dataclass
class Rows:
    punches: list[PunchRow] = field(default_factory=list)
    events: list[EventSpec] = field(default_factory=list)
    malformed: list[Malformed] = field(default_factory=list)


def convert(records: Iterable[Any], ctx: Context) -> Rows:
    """Every record of a request as a punch row, an event or a malformed line."""
    rows = Rows()
    for record in records:
        if isinstance(record, Malformed):
            rows.malformed.append(record)
            continue
        spec = _ADAPTERS[type(record)](record, ctx)
        if spec is None:
            continue
        if isinstance(spec, PunchSpec):
            rows.punches.append(punch_row(ctx, spec))
        elif isinstance(spec, EventSpec):
            rows.events.append(spec)
        else:
            rows.malformed.append(spec)
    return rows
