"""ZKTeco attendance PUSH (pushver 2.x) and the bits of security PUSH (3.x) we accept.

Times on the wire are the device's local wall clock with no offset; they are
returned naive here and made aware by the caller with the device's zone (or
with field 11 ``TimeOffset`` when a newer firmware sends it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import Any, NamedTuple

from attendance.core.protocols import Malformed

SN_RE = re.compile(r"^[A-Za-z0-9_-]{4,40}$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
PIN_RE = re.compile(r"^[A-Za-z0-9_-]{1,24}$")

#: verify codes that prove a body was there (fingerprint, face, vein, palm, combinations)
BIOMETRIC_VERIFY = frozenset(
    {1, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29}
)
#: OPLOG operation codes that put a day's records in doubt (set time, resets, deletions,
#: server address changes)
AUDIT_OPTYPES = {
    13: "清除数据",
    21: "修改设备时间",
    22: "恢复出厂设置",
    23: "删除考勤记录",
    82: "修改云服务器地址",
    83: "修改云服务器端口",
}
#: commands the portal may ever send. CLEAR LOG / CLEAR DATA destroy the only evidence
#: and are deliberately absent.
ALLOWED_COMMANDS = (
    "DATA QUERY ATTLOG",
    "VERIFY SUM ATTLOG",
    "INFO",
    "CHECK",
    "LOG",
    "DATA UPDATE USERINFO",
)


def valid_serial(sn: str | None) -> bool:
    return sn is not None and bool(SN_RE.match(sn))


class AttlogRecord(NamedTuple):
    """One ATTLOG line. A NamedTuple, not a frozen dataclass: a backlog has millions."""

    line_no: int
    raw: str
    pin: str
    raw_time: str
    local_time: dt.datetime  # naive, device wall clock
    status: int
    verify: int
    workcode: str = "0"
    #: field 11 on newer firmware: the device's UTC offset in seconds
    time_offset: int | None = None

    @property
    def is_biometric(self) -> bool:
        return self.verify in BIOMETRIC_VERIFY

    def aware_time(self, zone: dt.tzinfo) -> dt.datetime:
        if self.time_offset is not None:
            return self.local_time.replace(
                tzinfo=dt.timezone(dt.timedelta(seconds=self.time_offset))
            )
        return self.local_time.replace(tzinfo=zone)


#: status and verify codes are stored as PostgreSQL smallint
SMALLINT = range(-32768, 32768)


def _int(value: str, name: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} is not a number: {value!r}") from None
    if number not in SMALLINT:
        # Stored as is, it would fail the insert of the whole upload.
        raise ValueError(f"{name} out of range: {value!r}")
    return number


def _lines(text: str) -> Iterator[tuple[int, str]]:
    for line_no, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.strip():
            yield line_no, line


#: a line holding nothing but whitespace (``\s`` is ``str.isspace``, what strip() removes)
_BLANK_LINE = re.compile(r"^[^\S\n]*$", re.MULTILINE)


def count_lines(text: str) -> int:
    """Records in an upload: what ``OK:<n>`` acknowledges (every non-blank line).

    The same count as iterating ``_lines``, without a Python loop over the lines: it
    runs in the request, before the device gets its reply.
    """
    return text.count("\n") + 1 - len(_BLANK_LINE.findall(text))


class Span(NamedTuple):
    oldest: dt.datetime
    newest: dt.datetime
    #: the newest line's PIN and time, as sent
    newest_fields: tuple[str, str]


def time_span(text: str) -> Span | None:
    """The earliest and latest well-formed times among an ATTLOG upload's lines (naive,
    device clock), or None.

    Runs in the request (the device is waiting), so it looks only at field 2 and
    compares the fixed-width strings; lines without a valid time are skipped.
    """
    oldest = newest = ""
    newest_line = ""
    for line in text.split("\n"):
        fields = line.split("\t", 2)
        if len(fields) > 1:
            raw_time = fields[1].strip()
            if len(raw_time) == 19 and TIME_RE.match(raw_time):
                if raw_time > newest:
                    newest, newest_line = raw_time, line
                if not oldest or raw_time < oldest:
                    oldest = raw_time
    if not newest:
        return None
    try:
        return Span(
            dt.datetime.fromisoformat(oldest),
            dt.datetime.fromisoformat(newest),
            (newest_line.split("\t", 1)[0].strip(), newest),
        )
    except ValueError:
        return None  # an impossible date at an end: no reliable span


def parse_attlog_line(line_no: int, line: str) -> AttlogRecord | Malformed:
    fields = line.split("\t")
    if len(fields) < 4:
        return Malformed(
            line_no,
            line,
            f"字段数不足：需要至少 4 个（工号、时间、状态、验证方式），实际 {len(fields)} 个",
        )
    pin, raw_time, status, verify = (f.strip() for f in fields[:4])
    if not PIN_RE.match(pin):
        return Malformed(line_no, line, f"工号格式不正确：{pin!r}")
    if not TIME_RE.match(raw_time):
        return Malformed(line_no, line, f"时间格式不正确：{raw_time!r}（应为 YYYY-MM-DD HH:MM:SS）")
    try:
        local = dt.datetime.fromisoformat(raw_time)  # shape checked above; 10× strptime
        status_i, verify_i = _int(status, "状态"), _int(verify, "验证方式")
    except ValueError as exc:
        return Malformed(line_no, line, f"无法解析：{exc}")
    offset = None
    if len(fields) >= 11 and fields[10].strip():
        try:
            offset = int(fields[10].strip())
        except ValueError:
            return Malformed(line_no, line, f"时区偏移格式不正确：{fields[10]!r}")
        if not -14 * 3600 <= offset <= 14 * 3600:
            return Malformed(line_no, line, f"时区偏移超出范围：{offset}")
    return AttlogRecord(
        line_no=line_no,
        raw=line,
        pin=pin,
        raw_time=raw_time,
        local_time=local,
        status=status_i,
        verify=verify_i,
        workcode=fields[4].strip() if len(fields) > 4 else "0",
        time_offset=offset,
    )


def parse_attlog(text: str) -> list[AttlogRecord | Malformed]:
    return [parse_attlog_line(n, line) for n, line in _lines(text)]


@dataclass(frozen=True)
class OplogRecord:
    line_no: int
    raw: str
    op_type: int
    operator: str
    raw_time: str
    local_time: dt.datetime
    values: tuple[str, ...]

    @property
    def audit_reason(self) -> str | None:
        return AUDIT_OPTYPES.get(self.op_type)


@dataclass(frozen=True)
class UserRecord:
    line_no: int
    raw: str
    pin: str
    name: str
    privilege: int
    card: str


@dataclass(frozen=True)
class OtherRecord:
    """A template or photo record (FP, FACE, USERPIC…): kept raw, not interpreted."""

    line_no: int
    raw: str
    tag: str


def _kv(text: str) -> dict[str, str]:
    pairs = {}
    for item in text.split("\t"):
        key, sep, value = item.partition("=")
        if sep:
            pairs[key.strip()] = value
    return pairs


def _card(value: str) -> str:
    """``[15CD5B07]`` is hex, little-endian bytes; return the decimal card number."""
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        try:
            return str(int.from_bytes(bytes.fromhex(value[1:-1]), "little"))
        except ValueError:
            return value
    return value


def parse_operlog(text: str) -> list[OplogRecord | UserRecord | OtherRecord | Malformed]:
    out: list[Any] = []
    for line_no, line in _lines(text):
        tag, _sep, rest = line.partition(" ")
        if tag == "OPLOG":
            fields = rest.split("\t")
            if len(fields) < 4:
                out.append(Malformed(line_no, line, "OPLOG 字段数不足"))
                continue
            raw_time = fields[2].strip()
            if not TIME_RE.match(raw_time):
                out.append(Malformed(line_no, line, f"OPLOG 时间格式不正确：{raw_time!r}"))
                continue
            try:
                op_type = int(fields[0])
            except ValueError:
                out.append(Malformed(line_no, line, f"OPLOG 操作代码不是数字：{fields[0]!r}"))
                continue
            out.append(
                OplogRecord(
                    line_no,
                    line,
                    op_type,
                    fields[1].strip(),
                    raw_time,
                    dt.datetime.strptime(raw_time, "%Y-%m-%d %H:%M:%S"),
                    tuple(fields[3:]),
                )
            )
        elif tag == "USER":
            kv = _kv(rest)
            if "PIN" not in kv:
                out.append(Malformed(line_no, line, "USER 记录缺少 PIN"))
                continue
            try:
                privilege = int(kv.get("Pri") or 0)
            except ValueError:
                privilege = 0
            out.append(
                UserRecord(
                    line_no,
                    line,
                    kv["PIN"],
                    kv.get("Name", ""),
                    privilege,
                    _card(kv.get("Card", "")),
                )
            )
        elif tag in {
            "FP",
            "FACE",
            "FVEIN",
            "USERPIC",
            "BIOPHOTO",
            "BIODATA",
            "WORKCODE",
            "SMS",
            "USER_SMS",
            "IDCARD",
        }:
            out.append(OtherRecord(line_no, line, tag))
        else:
            out.append(Malformed(line_no, line, f"未知的记录类型：{tag[:20]!r}"))
    return out


@dataclass(frozen=True)
class RtlogRecord:
    """Security PUSH (v3) real-time access record; ``index`` is unique on the device."""

    line_no: int
    raw: str
    index: int
    pin: str
    raw_time: str
    local_time: dt.datetime
    event: int
    inout: int
    verify: int

    @property
    def is_presence(self) -> bool:
        return self.event == 0 and self.pin not in {"", "0"}

    @property
    def is_biometric(self) -> bool:
        return self.verify in BIOMETRIC_VERIFY


def parse_rtlog(text: str) -> list[RtlogRecord | Malformed]:
    out: list[Any] = []
    for line_no, line in _lines(text):
        kv = _kv(line)
        try:
            raw_time = kv["time"].strip()
            if not TIME_RE.match(raw_time):
                raise ValueError(f"时间格式不正确：{raw_time!r}")
            out.append(
                RtlogRecord(
                    line_no,
                    line,
                    int(kv["index"]),
                    kv.get("pin", "").strip(),
                    raw_time,
                    dt.datetime.strptime(raw_time, "%Y-%m-%d %H:%M:%S"),
                    int(kv.get("event", 0)),
                    int(kv.get("inoutstatus", 0)),
                    int(kv.get("verifytype", 0)),
                )
            )
        except (KeyError, ValueError) as exc:
            out.append(Malformed(line_no, line, f"rtlog 记录无法解析：{exc}"))
    return out


@dataclass(frozen=True)
class CommandResult:
    cmd_id: str
    return_code: int
    command: str
    values: dict[str, str] = field(default_factory=dict)


def parse_devicecmd(text: str) -> list[CommandResult]:
    """``ID=..&Return=..&CMD=..[&k=v…]`` lines; INFO replies carry ``k=v`` lines after."""
    results: list[CommandResult] = []
    for _line_no, line in _lines(text):
        if line.startswith("ID="):
            parts = dict(p.partition("=")[::2] for p in line.split("&"))
            try:
                code = int(parts.get("Return", ""))
            except ValueError:
                code = -1
            values = {k: v for k, v in parts.items() if k not in {"ID", "Return", "CMD"}}
            results.append(CommandResult(parts.get("ID", ""), code, parts.get("CMD", ""), values))
        elif results and "=" in line:
            key, _sep, value = line.partition("=")
            results[-1].values[key.lstrip("~")] = value
    return results


def parse_info(info: str) -> dict[str, str]:
    """``INFO=`` on getrequest: fw, users, fps, attlogs, ip, … (comma separated)."""
    names = (
        "firmware",
        "users",
        "fingerprints",
        "attlogs",
        "ip",
        "fp_version",
        "face_version",
        "faces_needed",
        "faces",
        "flags",
        "cards",
        "user_pictures",
        "att_photos",
    )
    return dict(zip(names, (v.strip() for v in info.split(",")), strict=False))


def parse_registry(text: str) -> dict[str, str]:
    """v3 capability list ``k=v,k=v``.

    Values may contain commas (``~OEMVendor=ZKTECO CO., LTD.``), so split only on a
    comma followed by ``key=``.
    """
    parts = re.split(r",(?=[~A-Za-z][\w~]*=)", text.strip())
    return dict(p.partition("=")[::2] for p in parts if "=" in p)


def handshake_response(sn: str, *, stamps: dict[str, str], delay: int = 15) -> str:
    """The ``GET OPTION FROM:`` block for an approved attendance-PUSH device."""
    lines = [
        f"GET OPTION FROM: {sn}",
        f"ATTLOGStamp={stamps.get('ATTLOG', 'None')}",
        f"OPERLOGStamp={stamps.get('OPERLOG', 'None')}",
        f"ATTPHOTOStamp={stamps.get('ATTPHOTO', 'None')}",
        "ErrorDelay=60",
        f"Delay={delay}",
        "TransTimes=00:00;12:00",
        "TransInterval=1",
        "TransFlag=TransData AttLog\tOpLog\tEnrollUser\tChgUser",
        # China: whole hours. A wrong value visibly moves the device clock.
        "TimeZone=8",
        "Realtime=1",
        "Encrypt=None",
        "ServerVer=2.4.1",
        "PushProtVer=2.4.1",
        "SupportPing=1",
    ]
    return "\n".join(lines) + "\n"


def format_command(cmd_id: str, command: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9]{1,16}", cmd_id):
        raise ValueError("CmdID must be 1-16 alphanumeric characters")
    if not command.startswith(ALLOWED_COMMANDS):
        raise ValueError(f"command not allowed: {command.split()[0] if command else ''}")
    if any(c in command for c in "\r\n"):
        raise ValueError("control characters in command")
    return f"C:{cmd_id}:{command}"


def http_date(moment: dt.datetime) -> str:
    """The ``Date:`` header (GMT) the device sets its clock from."""
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)
