"""The operations pieces at their edges: the nightly tasks, the commands' options, a
drill against a damaged or foreign backup, the status page's other red items, and
heartbeat writes that must never fail the work they accompany."""

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from jinhu.core import clock
from operations import selectors
from operations.models import BackupRun, DrillRun, Heartbeat, TaskTally
from operations.services import backup, drill, heartbeats


@pytest.mark.django_db(transaction=True)
def test_the_nightly_tasks_back_up_thin_and_drill(settings, village_a):
    from operations.tasks import backup_nightly, restore_drill

    taken = backup_nightly.apply().get()
    assert taken["backup"].startswith("jinhu-") and taken["deleted"] == []
    drilled = restore_drill.apply().get()
    assert drilled == {"backup": taken["backup"], "ok": True, "error": ""}
    assert str(BackupRun.objects.get()) == taken["backup"]
    assert str(DrillRun.objects.get()).endswith("通过")


@pytest.mark.django_db(transaction=True)
def test_the_backup_command_keeps_or_thins_old_copies(settings, capsys):
    settings.JINHU_BACKUP_KEEP_DAILY = 1
    settings.JINHU_BACKUP_KEEP_WEEKLY = 0
    settings.JINHU_BACKUP_KEEP_MONTHLY = 0
    old = Path(settings.JINHU_BACKUP_DIR) / "jinhu-20200101-013000"
    old.mkdir(parents=True)
    (old / "manifest.json").write_text("{}")
    call_command("backup", "--no-rotate")
    assert old.exists()
    call_command("backup")
    assert not old.exists()
    assert "deleted old backup jinhu-20200101-013000" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_drill_names_a_missing_file_an_unreadable_manifest_and_a_foreign_database(
    settings, village_a
):
    run = backup.backup_create()
    folder = Path(settings.JINHU_BACKUP_DIR) / run.name
    copy = Path(settings.JINHU_BACKUP_DIR) / "jinhu-20200101-000000"
    shutil.copytree(folder, copy)

    (copy / "media.tar.gz").unlink()
    assert "media.tar.gz 缺失" in drill.drill_run(copy).error

    (copy / "manifest.json").write_text("{not json")
    assert "清单无法读取" in drill.drill_run(copy).error

    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["vendor"] = "oracle"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert "备份来自 oracle" in drill.drill_run(folder).error
    assert DrillRun.objects.filter(ok=False).count() == 3


def test_the_migration_check_names_unknown_and_inconsistent_migrations():
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    applied = set(graph.nodes)
    assert drill.migration_check(applied) == {
        "unknown_migrations": [],
        "inconsistent_migrations": [],
        "pending_migrations": [],
    }
    newer = drill.migration_check(applied | {("attendance", "9999_from_the_future")})
    assert newer["unknown_migrations"] == ["attendance.9999_from_the_future"]
    first = ("attendance", "0001_initial")
    gap = drill.migration_check(applied - {first})
    assert "attendance.0001_initial" in gap["pending_migrations"]
    assert any(item.startswith("attendance.0002") for item in gap["inconsistent_migrations"])


@pytest.fixture
def broker(settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    monkeypatch.setattr(selectors, "queue_depth", lambda: 5000)


def state(client, key):
    import re

    body = client.get(reverse("operations:status")).content.decode()
    return re.search(rf'data-testid="status-{key}" data-state="(\w+)"', body).group(1), body


@pytest.mark.django_db
def test_other_red_items_say_what_to_do(client, subdistrict_admin, broker, monkeypatch):
    now = clock.now()
    client.force_login(subdistrict_admin)
    # A queue backlog.
    assert state(client, "queue")[0] == "bad"
    # A drill that passed, but long ago; a backup that failed after the last good one.
    DrillRun.objects.create(started_at=now - dt.timedelta(days=9), ok=True, backup_name="x")
    BackupRun.objects.create(started_at=now - dt.timedelta(hours=2), ok=True, name="x", vendor="x")
    BackupRun.objects.create(started_at=now - dt.timedelta(hours=1), ok=False, error="disk full")
    assert state(client, "drill")[0] == "bad"
    backup_state, body = state(client, "backup")
    assert backup_state == "bad" and "之后的一次备份失败：disk full" in body
    # A task that failed today.
    TaskTally.objects.create(
        name="attendance.request_parse", failures=2, last_failure_at=now, last_error="boom"
    )
    tasks_state, body = state(client, "tasks")
    assert tasks_state == "warn" and "attendance.request_parse：boom" in body
    # A nearly full disk.
    monkeypatch.setattr(selectors, "disk_free", lambda folder: (1024**3, 100 * 1024**3))
    disk_state, body = state(client, "disk_media")
    assert disk_state == "bad" and "磁盘空间不足" in body
    # A folder that cannot be read.
    monkeypatch.setattr(selectors, "disk_free", lambda folder: None)
    assert state(client, "disk_backup")[0] == "warn"


@pytest.mark.django_db
def test_a_redis_outage_is_a_red_queue_item(client, subdistrict_admin, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    client.force_login(subdistrict_admin)
    queue_state, body = state(client, "queue")
    assert queue_state == "bad" and "任务队列（Redis）无法连接" in body


@pytest.mark.django_db
def test_heartbeat_writes_never_raise(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(Heartbeat.objects, "update_or_create", broken)
    monkeypatch.setattr(TaskTally.objects, "get_or_create", broken)
    monkeypatch.setattr(TaskTally.objects, "select_for_update", broken)
    heartbeats.heartbeat_note("worker")
    heartbeats.task_failure_note("x", "y")
    heartbeats.task_retry_note("x")
    assert not Heartbeat.objects.exists() and not TaskTally.objects.exists()


@pytest.mark.django_db
def test_records_read_as_their_names():
    now = clock.now()
    beat = Heartbeat.objects.create(name="beat", beat_at=now)
    tally = TaskTally.objects.create(name="attendance.request_parse")
    assert str(beat).startswith("beat ") and str(tally) == "attendance.request_parse"
    assert str(BackupRun(started_at=dt.datetime(2026, 11, 1, 1, 30, tzinfo=dt.UTC)))
