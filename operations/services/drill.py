"""``restore_drill``: prove the newest backup restores, and holds what was live.

1. Every file's SHA-256 and size against the manifest (a damaged copy fails here).
2. The database restored into a scratch database (PostgreSQL: ``<name>_drill``, made
   afresh with ``pg_restore``; SQLite: a copy in a temporary folder, with
   ``PRAGMA integrity_check``), the media tarball read through.
3. The migration check on the restored database: its recorded history consistent with
   this code, no migration this code does not know (a backup of a newer release), and
   the migrations ``migrate`` would still apply listed.
4. Row counts of every table and the content checksums compared with the manifest
   (the live database at backup time).

The result is recorded (``DrillRun``); a failed drill is logged as an error and mailed
to ADMINS, turns the status page red and sets ``jinhu_restore_drill_ok`` to 0. The
scratch database is dropped afterwards, whatever happened.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.mail import mail_admins
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from jinhu.core import clock
from operations.core import manifest as manifests
from operations.models import DrillRun
from operations.services import database
from operations.services.backup import MANIFEST, newest_backup, sha256_of

log = logging.getLogger(__name__)


class DrillError(RuntimeError):
    pass


def _verify_files(path: Path, manifest: dict[str, Any]) -> None:
    files = manifest.get("files") or {}
    if not files:
        raise DrillError("清单中没有文件记录")
    for name, expected in files.items():
        file = path / name
        if not file.is_file():
            raise DrillError(f"备份文件 {name} 缺失")
        if file.stat().st_size != expected["size"] or sha256_of(file) != expected["sha256"]:
            raise DrillError(f"备份文件 {name} 的校验和与清单不符（文件已损坏或被改动）")


def _check_media(path: Path) -> int:
    with tarfile.open(path / "media.tar.gz", "r:gz") as archive:
        return sum(1 for member in archive if member.isfile())


@contextmanager
def _scratch_postgresql(path: Path, timings: dict[str, float]) -> Iterator[dict[str, Any]]:
    live = connection.settings_dict
    scratch = f"{live['NAME']}_drill"[:63]
    admin = database.pg_connect("postgres")
    admin.autocommit = True
    quoted = '"' + scratch.replace('"', '""') + '"'
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {quoted}")
        began = time.monotonic()
        env = {**os.environ, **database.pg_params(live, scratch)}
        done = subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={scratch}",
                str(path / "db.dump"),
            ],
            env=env,
            capture_output=True,
        )
        timings["restore"] = time.monotonic() - began
        if done.returncode != 0:
            raise DrillError(f"pg_restore 失败：{done.stderr.decode()[-500:]}")
        yield {**live, "NAME": scratch}
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        admin.close()


@contextmanager
def _scratch_sqlite(path: Path, timings: dict[str, float]) -> Iterator[dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix="jinhu-drill-"))
    try:
        began = time.monotonic()
        copy = folder / "db.sqlite3"
        shutil.copyfile(path / "db.sqlite3", copy)
        check = sqlite3.connect(copy)
        try:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise DrillError(f"SQLite 备份无法打开：{exc}") from exc
        finally:
            check.close()
        if verdict != "ok":
            raise DrillError(f"SQLite 完整性检查未通过：{verdict}")
        timings["restore"] = time.monotonic() - began
        yield {**connection.settings_dict, "NAME": str(copy), "TEST": {}}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _figures(
    vendor: str, settings_dict: dict[str, Any]
) -> tuple[dict[str, int], dict[str, str], set[tuple[str, str]]]:
    """Counts and checksums read the way ``backup`` read them (a plain driver connection)."""
    if vendor == "postgresql":
        raw: Any = database.pg_connect(settings_dict["NAME"])
    else:
        raw = sqlite3.connect(f"file:{settings_dict['NAME']}?mode=ro", uri=True)
    try:
        cursor = raw.cursor()
        counts = database.table_counts(cursor, vendor)
        sums = database.content_checksums(cursor, vendor, database.checksummed_tables())
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = {(app, name) for app, name in cursor.fetchall()}
        return counts, sums, applied
    finally:
        raw.close()


def migration_check(applied: set[tuple[str, str]]) -> dict[str, Any]:
    """``applied`` (the restored database's django_migrations rows) against this code's
    migration graph: the migrations it does not know (a backup of a newer release: a
    failure), those recorded without a migration they depend on (an inconsistent history:
    a failure), and those ``migrate`` would still apply (fine: an older backup)."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    known = set(graph.nodes)
    unknown = sorted(f"{app}.{name}" for app, name in applied - known)
    inconsistent = sorted(
        f"{key[0]}.{key[1]} (needs {parent.key[0]}.{parent.key[1]})"
        for key in applied & known
        for parent in graph.node_map[key].parents
        if parent.key not in applied
    )
    pending: list[str] = []
    for leaf in graph.leaf_nodes():
        for key in graph.forwards_plan(leaf):
            name = f"{key[0]}.{key[1]}"
            if key not in applied and name not in pending:
                pending.append(name)
    return {
        "unknown_migrations": unknown,
        "inconsistent_migrations": inconsistent,
        "pending_migrations": pending,
    }


def drill_run(backup: Path | None = None) -> DrillRun:
    """Restore ``backup`` (default: the newest) into scratch and compare; recorded."""
    path = Path(backup) if backup else newest_backup()
    run = DrillRun.objects.create(started_at=clock.now(), backup_name=path.name if path else "")
    began = time.monotonic()
    timings: dict[str, float] = {}
    details: dict[str, Any] = {}
    try:
        if path is None:
            raise DrillError("没有可用于演练的备份")
        try:
            manifest = json.loads((path / MANIFEST).read_text())
        except (OSError, ValueError) as exc:
            raise DrillError(f"备份清单无法读取：{exc}") from exc
        run.backup_taken_at = manifest.get("created_at")
        _verify_files(path, manifest)
        details["media_files"] = _check_media(path)
        vendor = manifest["vendor"]
        if vendor != connection.vendor:
            raise DrillError(f"备份来自 {vendor}，当前数据库是 {connection.vendor}")
        scratch = _scratch_postgresql if vendor == "postgresql" else _scratch_sqlite
        with scratch(path, timings) as settings_dict:
            counts, sums, applied = _figures(vendor, settings_dict)
        details.update(migration_check(applied))
        comparison = manifests.compare(manifest["tables"], counts, manifest["checksums"], sums)
        details.update(comparison.as_dict())
        details["checksummed"] = sorted(manifest["checksums"])
        if details["unknown_migrations"]:
            raise DrillError(
                "备份包含本版本代码不认识的迁移：" + "，".join(details["unknown_migrations"])
            )
        if details["inconsistent_migrations"]:
            raise DrillError(
                "恢复后的迁移记录不一致：" + "，".join(details["inconsistent_migrations"])
            )
        if not comparison.ok:
            raise DrillError(
                f"恢复后的数据与备份时不一致：{len(comparison.counts)} 张表行数不同，"
                f"{len(comparison.checksums)} 张表内容校验不同"
            )
        run.ok = True
    except Exception as exc:
        run.error = f"{exc}" if isinstance(exc, DrillError) else f"{type(exc).__name__}: {exc}"
        run.error = run.error[:2000]
    run.details = details
    run.restore_seconds = timings.get("restore")
    run.seconds = time.monotonic() - began
    run.finished_at = clock.now()
    run.save()
    if not run.ok:
        log.error("restore drill of %s FAILED: %s", run.backup_name or "(none)", run.error)
        mail_admins("恢复演练失败", f"锦湖平台恢复演练失败：{run.error}", fail_silently=True)
    else:
        log.info("restore drill of %s passed in %.1f s", run.backup_name, run.seconds)
    return run
