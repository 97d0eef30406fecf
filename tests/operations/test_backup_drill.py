"""Backups and restore drills: a round trip on the configured database (PostgreSQL in
CI), one on a SQLite file (a separate process), a damaged backup failing loudly, and
the keeping rule."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from operations.core import manifest, rotation
from operations.models import BackupRun, DrillRun
from operations.services import backup, drill
from tests.factories import CadreFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data(village_a, village_b, secretary_a):
    CadreFactory(village=village_a, name="刘一")
    CadreFactory(village=village_b, name="陈二")
    return village_a


@pytest.mark.django_db(transaction=True)
def test_backup_then_drill_round_trip(data, settings, tmp_path):
    media = Path(settings.MEDIA_ROOT) / "evidence"
    media.mkdir(parents=True)
    (media / "photo.jpg").write_bytes(b"\xff\xd8 not really a photo")

    run = backup.backup_create()
    assert run.ok and run.size_bytes > 0
    folder = Path(settings.JINHU_BACKUP_DIR) / run.name
    written = json.loads((folder / "manifest.json").read_text())
    assert written["tables"]["villages_village"] == 2
    assert set(written["checksums"]) >= {"villages_village", "villages_cadre", "attendance_punch"}
    assert written["files"]["media.tar.gz"]["size"] > 0

    result = drill.drill_run()
    assert result.ok, result.error
    assert result.backup_name == run.name
    assert result.details["count_mismatches"] == [] and result.details["checksum_mismatches"] == []
    assert result.details["tables"] == len(written["tables"])
    assert result.details["media_files"] == 1
    assert result.details["unknown_migrations"] == []
    assert DrillRun.objects.filter(ok=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_drill_against_a_corrupted_backup_fails_loudly(data, settings):
    settings.ADMINS = [("运维", "ops@jinhu.example")]
    run = backup.backup_create()
    folder = Path(settings.JINHU_BACKUP_DIR) / run.name
    damaged = next(p for p in folder.iterdir() if p.name.startswith("db."))
    raw = bytearray(damaged.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    damaged.write_bytes(bytes(raw))

    with pytest.raises(CommandError, match="FAILED"):
        call_command("restore_drill")
    failed = DrillRun.objects.get()
    assert not failed.ok and "校验和" in failed.error
    assert mail.outbox and mail.outbox[0].subject.endswith("恢复演练失败")


@pytest.mark.django_db(transaction=True)
def test_a_drill_with_no_backup_fails():
    result = drill.drill_run()
    assert not result.ok and "没有可用于演练的备份" in result.error


@pytest.mark.django_db(transaction=True)
def test_a_restore_that_differs_from_its_manifest_fails(data, settings):
    """Counts are compared: a manifest that says more rows than the copy holds fails."""
    run = backup.backup_create()
    path = Path(settings.JINHU_BACKUP_DIR) / run.name / "manifest.json"
    written = json.loads(path.read_text())
    written["tables"]["villages_village"] += 1
    path.write_text(json.dumps(written))
    result = drill.drill_run()
    assert not result.ok
    assert result.details["count_mismatches"] == [["villages_village", 3, 2]]


@pytest.mark.real_clock
def test_round_trip_on_a_sqlite_file(tmp_path):
    """The SQLite path end to end, as a deployment would run it: migrate, data, backup,
    drill (a separate process, whatever database the suite runs on)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "REDIS_URL": "",
        "DEBUG": "1",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "JINHU_BACKUP_DIR": str(tmp_path / "backups"),
    }

    def manage(*args):
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    manage(
        "shell", "-c", "from tests.factories import VillageFactory; VillageFactory.create_batch(3)"
    )
    out = manage("backup")
    assert out.startswith("backup jinhu-")
    out = manage("restore_drill")
    assert "passed" in out and "6 checksums equal" in out


def test_comparison_names_each_difference():
    result = manifest.compare({"a": 1, "b": 2}, {"a": 1, "b": 3}, {"a": "x"}, {"a": "y"})
    assert not result.ok
    assert result.as_dict()["count_mismatches"] == [["b", 2, 3]]
    assert result.as_dict()["checksum_mismatches"] == [["a", "x", "y"]]


def test_the_keeping_rule_keeps_daily_weekly_and_monthly_copies():
    start = dt.datetime(2026, 1, 1, 1, 30)
    times = [start + dt.timedelta(days=n) for n in range(120)]  # 1 Jan – 30 Apr
    keep = rotation.to_keep(times, daily=7, weekly=4, monthly=3)
    days = sorted(t.date() for t in keep)
    # The last 7 days (24–30 April); the newest of the last 4 ISO weeks: 30 April (a
    # Thursday) and the Sundays 26, 19 and 12 April; the newest of the last 3 months.
    assert days == [
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 12),
        dt.date(2026, 4, 19),
        *[dt.date(2026, 4, 24) + dt.timedelta(days=n) for n in range(7)],
    ]


@pytest.mark.django_db(transaction=True)
def test_rotation_deletes_what_the_rule_drops(settings, tmp_path):
    settings.JINHU_BACKUP_KEEP_DAILY = 2
    settings.JINHU_BACKUP_KEEP_WEEKLY = 0
    settings.JINHU_BACKUP_KEEP_MONTHLY = 0
    folder = Path(settings.JINHU_BACKUP_DIR)
    for day in (1, 2, 3):
        path = folder / f"jinhu-202611{day:02d}-013000"
        path.mkdir(parents=True)
        (path / "manifest.json").write_text("{}")
    (folder / "notes.txt").write_text("not a backup")
    assert backup.backup_rotate() == ["jinhu-20261101-013000"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "jinhu-20261102-013000",
        "jinhu-20261103-013000",
        "notes.txt",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_failed_backup_is_recorded_and_mailed(settings, monkeypatch):
    settings.ADMINS = [("运维", "ops@jinhu.example")]

    def broken(target):
        raise backup.BackupError("disk full")

    monkeypatch.setattr(backup, "_pack_media", broken)
    with pytest.raises(CommandError, match="disk full"):
        call_command("backup")
    run = BackupRun.objects.get()
    assert not run.ok and "disk full" in run.error
    assert not any(Path(settings.JINHU_BACKUP_DIR).iterdir())  # no half-written folder left
    assert mail.outbox[0].subject.endswith("备份失败")
