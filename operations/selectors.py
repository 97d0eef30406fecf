"""What the status page and the metrics endpoint read: heartbeats, backlog, devices,
backups and drills, sizes. Read-only; every figure is across the whole portal (the
page is for staff and administrators, who see every village)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from attendance import selectors as attendance_selectors
from jinhu.core import redis as redis_marks
from operations.models import BackupRun, DrillRun, Heartbeat, TaskTally

#: a worker heartbeat older than this is red (beat queues one every minute)
WORKER_STALE = dt.timedelta(minutes=3)
#: a beat heartbeat older than this is red (it writes one at least every 30 s)
BEAT_STALE = dt.timedelta(minutes=2)
#: an unparsed request older than this is red (the sweep runs every minute)
UNPARSED_STALE = dt.timedelta(minutes=10)
#: waiting messages beyond which the queue is red
QUEUE_DEEP = 1000
#: a quarantined line left this long is red
QUARANTINE_STALE = dt.timedelta(days=7)
#: a restore drill older than this is red (it runs nightly)
DRILL_STALE = dt.timedelta(days=8)
#: free disk below this share (or below FREE_BYTES_MIN) is red
FREE_SHARE_MIN = 0.10
FREE_BYTES_MIN = 5 * 1024**3


def heartbeat_ages(now: dt.datetime) -> dict[str, float | None]:
    beats = dict(Heartbeat.objects.values_list("name", "beat_at"))
    return {
        name: (now - beats[name]).total_seconds() if name in beats else None
        for name in (Heartbeat.WORKER, Heartbeat.BEAT)
    }


def queue_depth() -> int | None:
    """Messages waiting for a worker; None when there is no broker (eager) or it is down."""
    if not settings.REDIS_URL:
        return None
    try:
        return redis_marks.queue_depth(settings.REDIS_URL)
    except Exception:
        return None


def last_backup() -> BackupRun | None:
    return BackupRun.objects.order_by("-started_at").first()


def last_good_backup() -> BackupRun | None:
    return BackupRun.objects.filter(ok=True).order_by("-started_at").first()


def last_drill() -> DrillRun | None:
    return DrillRun.objects.order_by("-started_at").first()


def task_tallies() -> list[TaskTally]:
    return list(TaskTally.objects.order_by("name"))


def database_bytes() -> int | None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    name = str(connection.settings_dict["NAME"])
    return os.path.getsize(name) if os.path.isfile(name) else None


def folder_bytes(folder: Path) -> int:
    """Bytes of the files under ``folder``, remembered for ten minutes (walking a few
    hundred thousand evidence files on every view of the status page would cost seconds)."""
    from django.core.cache import cache

    key = f"ops:folder-bytes:{folder}"
    try:
        remembered = cache.get(key)
    except Exception:
        remembered = None
    if remembered is not None:
        return int(remembered)
    total = _walk_bytes(folder)
    # The cache is an accelerator: without it the folder is walked each time.
    with contextlib.suppress(Exception):
        cache.set(key, total, 600)
    return total


def _walk_bytes(folder: Path) -> int:
    total = 0
    stack = [folder]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
    return total


def disk_free(folder: Path) -> tuple[int, int] | None:
    """(free, total) bytes of the file system holding ``folder`` (or its nearest parent)."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        usage = shutil.disk_usage(probe)
    except OSError:
        return None
    return usage.free, usage.total


def device_states(now: dt.datetime) -> tuple[Counter[str], list[Any]]:
    """Active attendance devices (clocks and face terminals; cameras never call in) by
    contact state, and those silent or never heard from."""
    contacts = [
        c for c in attendance_selectors.device_contacts(now) if c.device.is_attendance_device
    ]
    states = Counter(c.state for c in contacts)
    quiet = [c for c in contacts if c.state in ("silent", "never")]
    return states, quiet


@dataclass
class Item:
    """One line of the status page: green, amber or red, and what to do when not green."""

    key: str
    label: str
    state: str  # ok | warn | bad | info
    value: str
    action: str = ""
    rows: list[str] = field(default_factory=list)
    #: commands to run on the server (shown as code, apart from the Chinese text)
    commands: list[str] = field(default_factory=list)

    @property
    def css(self) -> str:
        return {"ok": "success", "warn": "warning", "bad": "danger"}.get(self.state, "secondary")

    @property
    def state_label(self) -> str:
        return {"ok": "正常", "warn": "注意", "bad": "异常"}.get(self.state, "说明")


def _ago(seconds: float) -> str:
    from django.utils.timesince import timesince

    reference = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # only a length of time is formatted
    return timesince(reference - dt.timedelta(seconds=seconds), reference) + "前"


def _size(n: int | None) -> str:
    from django.template.defaultfilters import filesizeformat

    return "未知" if n is None else str(filesizeformat(n))


def _processes(now: dt.datetime) -> list[Item]:
    if not settings.REDIS_URL:
        note = (
            "未配置任务队列（Redis）：任务在网页进程内立即执行（演示和开发模式），"
            "没有独立的后台进程。"
        )
        return [
            Item("worker", "后台任务进程", "info", note),
            Item("beat", "定时任务进程", "info", note),
        ]
    items = []
    ages = heartbeat_ages(now)
    for key, label, stale, action, commands in (
        (
            Heartbeat.WORKER,
            "后台任务进程",
            WORKER_STALE,
            "设备上传照常保存，但解析、判定和评分暂停。请在服务器上查看它的状态和错误日志，"
            "然后重启它：",
            [
                "docker compose ps worker",
                "docker compose logs --tail 100 worker",
                "docker compose restart worker",
            ],
        ),
        (
            Heartbeat.BEAT,
            "定时任务进程",
            BEAT_STALE,
            "定时任务（补做解析、评分、备份、归档）不会运行。请重启它，并确认只有一个定时任务进程：",
            ["docker compose restart beat", "docker compose ps beat"],
        ),
    ):
        age = ages[key]
        if age is None:
            items.append(Item(key, label, "bad", "从未收到心跳", action, commands=commands))
        elif age > stale.total_seconds():
            value = f"最近心跳在 {_ago(age)}"
            items.append(Item(key, label, "bad", value, action, commands=commands))
        else:
            items.append(Item(key, label, "ok", f"最近心跳在 {_ago(age)}"))
    depth = queue_depth()
    if depth is None:
        items.append(
            Item(
                "queue",
                "任务队列",
                "bad",
                "任务队列（Redis）无法连接",
                "设备上传照常保存，任务队列恢复后自动补做。请检查并重启它：",
                commands=["docker compose ps redis", "docker compose restart redis"],
            )
        )
    elif depth > QUEUE_DEEP:
        items.append(
            Item(
                "queue",
                "任务队列",
                "bad",
                f"{depth} 个任务等待执行",
                "任务积压：后台任务进程处理不过来或已停止。请先确认它正常；"
                "必要时在部署文件中调高它的并发数。",
                commands=["docker compose ps worker"],
            )
        )
    else:
        items.append(Item("queue", "任务队列", "ok", f"{depth} 个任务等待执行"))
    return items


def _ingestion(now: dt.datetime) -> list[Item]:
    items = []
    health = attendance_selectors.ingest_health(now)
    if health.oldest_unparsed_at is None:
        items.append(Item("unparsed", "待解析的设备上传", "ok", "没有积压"))
    else:
        age = (now - health.oldest_unparsed_at).total_seconds()
        value = f"{health.unparsed} 个请求待解析，最早的收到于 {_ago(age)}"
        if age > UNPARSED_STALE.total_seconds():
            items.append(
                Item(
                    "unparsed",
                    "待解析的设备上传",
                    "bad",
                    value,
                    "上传已保存但迟迟未解析：请确认后台任务进程和定时任务进程正常；"
                    "若某个请求反复解析失败，在后台任务进程的日志中查找它：",
                    commands=['docker compose logs worker | grep "could not be parsed"'],
                )
            )
        else:
            items.append(Item("unparsed", "待解析的设备上传", "ok", value))
    if health.parse_lag_seconds is not None:
        lag = f"{health.parse_lag_seconds:.1f} 秒"
        items.append(Item("lag", "解析延迟（近 15 分钟平均）", "ok", lag))

    states, quiet = device_states(now)
    value = "，".join(
        f"{label} {states.get(state, 0)} 台"
        for state, label in attendance_selectors.CONTACT_LABELS.items()
    )
    rows = []
    for contact in quiet[:20]:
        device = contact.device
        where = device.village.name if device.village else "未归属"
        when = (
            attendance_selectors.CONTACT_LABELS["never"]
            if contact.last_seen is None
            else f"最近通信在 {_ago((now - contact.last_seen).total_seconds())}"
        )
        rows.append(f"{where} · {device}：{when}")
    items.append(
        Item(
            "devices",
            "考勤设备",
            "bad" if quiet else "ok",
            value,
            "失联期间的坐班时段判为“设备未同步”。请联系所在村检查设备电源、网线和服务器地址设置；"
            "设备恢复通信后会自动补传记录。"
            if quiet
            else "",
            rows=rows,
        )
    )

    if health.quarantine_open == 0:
        items.append(Item("quarantine", "待处理的隔离行", "ok", "没有"))
    else:
        oldest = health.oldest_quarantine_at
        age = (now - oldest).total_seconds() if oldest else 0.0
        items.append(
            Item(
                "quarantine",
                "待处理的隔离行",
                "bad" if age > QUARANTINE_STALE.total_seconds() else "warn",
                f"{health.quarantine_open} 行，最早的隔离于 {_ago(age)}",
                "请在“设备 → 隔离行”逐行核对并标记处理；未处理的行所在的原始请求不会归档。",
            )
        )
    return items


def _backups(now: dt.datetime) -> list[Item]:
    items = []
    good, latest = last_good_backup(), last_backup()
    max_age = dt.timedelta(hours=settings.JINHU_BACKUP_MAX_AGE_HOURS)
    action = "请在服务器上手动备份一次，看它报告的错误，并检查备份目录所在磁盘是否已满："
    commands = ["docker compose run --rm backup"]
    if good is None:
        items.append(
            Item("backup", "最近备份", "bad", "还没有成功的备份", action, commands=commands)
        )
    else:
        age = (now - good.started_at).total_seconds()
        failed_since = latest is not None and not latest.ok and latest.pk != good.pk
        value = f"{good.name}（{_size(good.size_bytes)}），{_ago(age)}"
        if failed_since and latest is not None:
            value += f"；之后的一次备份失败：{latest.error[:120]}"
        if age > max_age.total_seconds() or failed_since:
            items.append(Item("backup", "最近备份", "bad", value, action, commands=commands))
        else:
            items.append(Item("backup", "最近备份", "ok", value))

    drill = last_drill()
    action = "请手动演练一次，查看失败原因；备份文件损坏时立即手动备份一次，并检查备份所在磁盘："
    commands = [
        "docker compose run --rm backup python manage.py restore_drill",
        "docker compose run --rm backup",
    ]
    if drill is None:
        value, state = "还没有做过恢复演练", "bad"
    else:
        age = (now - drill.started_at).total_seconds()
        if not drill.ok:
            value, state = f"{_ago(age)}，失败：{drill.error[:160]}", "bad"
        elif age > DRILL_STALE.total_seconds():
            value, state = f"通过，但已是 {_ago(age)}", "bad"
        else:
            value = (
                f"{drill.backup_name} 通过，{_ago(age)}，"
                f"恢复用时 {drill.restore_seconds or 0:.1f} 秒"
            )
            state = "ok"
    if state == "bad":
        items.append(Item("drill", "最近恢复演练", state, value, action, commands=commands))
    else:
        items.append(Item("drill", "最近恢复演练", state, value))
    return items


def _tasks_and_space(now: dt.datetime) -> list[Item]:
    day_ago = now - dt.timedelta(days=1)
    failing = [t for t in task_tallies() if t.last_failure_at and t.last_failure_at >= day_ago]
    items = [
        Item(
            "tasks",
            "近 24 小时失败的任务",
            "warn" if failing else "ok",
            f"{len(failing)} 种" if failing else "没有",
            "失败的任务会自动重试，数据留在数据库中由定时任务补做；反复失败时查看后台任务进程的日志。"
            if failing
            else "",
            rows=[f"{t.name}：{t.last_error}" for t in failing[:10]],
        )
    ]
    media = Path(settings.MEDIA_ROOT)
    items.append(Item("db_size", "数据库大小", "info", _size(database_bytes())))
    items.append(Item("media_size", "上传文件大小", "info", _size(folder_bytes(media))))
    for key, label, folder in (
        ("disk_media", "上传文件所在磁盘", media),
        ("disk_backup", "备份所在磁盘", Path(settings.JINHU_BACKUP_DIR)),
    ):
        usage = disk_free(folder)
        if usage is None:
            items.append(Item(key, label, "warn", "无法读取", "请检查该目录是否存在且可访问。"))
            continue
        free, total = usage
        value = f"剩余 {_size(free)}，共 {_size(total)}"
        if free < FREE_BYTES_MIN or free < total * FREE_SHARE_MIN:
            action = (
                "磁盘空间不足：请清理或扩容；也可以在部署配置中减少每日、每周、每月保留的备份份数。"
            )
            items.append(Item(key, label, "bad", value, action))
        else:
            items.append(Item(key, label, "ok", value))
    return items


def status_items(now: dt.datetime) -> list[Item]:
    """Every line of the 系统状态 page: processes, ingestion, devices, quarantine,
    backups and drills, failed tasks, space."""
    return [*_processes(now), *_ingestion(now), *_backups(now), *_tasks_and_space(now)]


def recent_backups(limit: int = 10) -> list[BackupRun]:
    return list(BackupRun.objects.order_by("-started_at")[:limit])


def recent_drills(limit: int = 10) -> list[DrillRun]:
    return list(DrillRun.objects.order_by("-started_at")[:limit])
