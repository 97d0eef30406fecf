"""``backup``: the database and the uploaded media, with checksums and a manifest.

PostgreSQL: ``pg_dump --format=custom`` (compressed, restorable table by table with
``pg_restore``), run inside a snapshot this process exported
(``pg_export_snapshot``), so the row counts and checksums the manifest records are of
exactly the rows the dump holds, while devices keep writing. SQLite: a consistent copy
through SQLite's online backup API. Media: a gzip tarball of MEDIA_ROOT.

A backup is a folder ``jinhu-YYYYmmdd-HHMMSS`` (local time) under JINHU_BACKUP_DIR
holding ``db.dump`` or ``db.sqlite3``, ``media.tar.gz`` and ``manifest.json`` (every
file's SHA-256 and size, every table's rows, the content checksums, the applied
migrations). It is written under a ``.partial-`` name and renamed when complete, so a
folder without that prefix is whole. Old backups are thinned by ``backup_rotate``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tarfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import mail_admins
from django.db import connection

from jinhu.core import clock
from operations.core import rotation
from operations.models import BackupRun
from operations.services import database

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
NAME_FORMAT = "jinhu-%Y%m%d-%H%M%S"
NAME_PATTERN = re.compile(r"^jinhu-\d{8}-\d{6}(-\d+)?$")
FORMAT_VERSION = 1


class BackupError(RuntimeError):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _applied_migrations(cursor: Any) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _dump_postgresql(target: Path) -> dict[str, Any]:
    """pg_dump inside an exported snapshot; the manifest's figures from the same one."""
    import psycopg2.extensions

    snapshot_conn = database.pg_connect()
    try:
        snapshot_conn.set_session(
            isolation_level=psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ, readonly=True
        )
        cursor = snapshot_conn.cursor()
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        env = {**os.environ, **database.pg_params(connection.settings_dict)}
        dump = target / "db.dump"
        process = subprocess.Popen(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            figures = {
                "tables": database.table_counts(cursor, "postgresql"),
                "checksums": database.content_checksums(
                    cursor, "postgresql", database.checksummed_tables()
                ),
                "migrations": _applied_migrations(cursor),
            }
        finally:
            # The snapshot must outlive pg_dump's start; waiting for it to finish is simplest.
            _, stderr = process.communicate()
        if process.returncode != 0:
            raise BackupError(f"pg_dump failed ({process.returncode}): {stderr.decode()[-500:]}")
        server = snapshot_conn.server_version
        figures["server_version"] = f"{server // 10000}.{server % 10000}"
        return figures
    finally:
        snapshot_conn.rollback()
        snapshot_conn.close()


def _copy_sqlite(target: Path) -> dict[str, Any]:
    """SQLite's online backup API into db.sqlite3; the figures read from the copy."""
    import sqlite3

    connection.ensure_connection()
    copy = target / "db.sqlite3"
    destination = sqlite3.connect(copy)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()
    reader = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        cursor = reader.cursor()
        return {
            "tables": database.table_counts(cursor, "sqlite"),
            "checksums": database.content_checksums(
                cursor, "sqlite", database.checksummed_tables()
            ),
            "migrations": _applied_migrations(cursor),
        }
    finally:
        reader.close()


def _pack_media(target: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
        if media.is_dir():
            archive.add(media, arcname="media")


def _free_name(folder: Path, moment: dt.datetime) -> str:
    base = clock.local(moment).strftime(NAME_FORMAT)
    name, n = base, 1
    while (folder / name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def backup_create(folder: Path | None = None) -> BackupRun:
    """Take a backup now; the run is recorded whether it succeeds or not."""
    folder = Path(folder or settings.JINHU_BACKUP_DIR)
    started = clock.now()
    run = BackupRun.objects.create(started_at=started, vendor=connection.vendor)
    begun = time.monotonic()
    partial: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        name = _free_name(folder, started)
        partial = folder / f".partial-{name}"
        partial.mkdir()
        if connection.vendor == "postgresql":
            figures = _dump_postgresql(partial)
        elif connection.vendor == "sqlite":
            figures = _copy_sqlite(partial)
        else:
            raise BackupError(f"no backup method for {connection.vendor}")
        _pack_media(partial)
        files: dict[str, dict[str, Any]] = {
            path.name: {"sha256": sha256_of(path), "size": path.stat().st_size}
            for path in sorted(partial.iterdir())
        }
        manifest = {
            "format": FORMAT_VERSION,
            "name": name,
            "created_at": started.isoformat(),
            "vendor": connection.vendor,
            "files": files,
            **figures,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        partial.rename(folder / name)
    except Exception as exc:
        log.exception("backup failed")
        if partial is not None:
            shutil.rmtree(partial, ignore_errors=True)
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = clock.now()
        run.seconds = time.monotonic() - begun
        run.save(update_fields=["error", "finished_at", "seconds"])
        mail_admins("备份失败", f"锦湖平台备份失败：{run.error}", fail_silently=True)
        raise
    run.ok = True
    run.name = name
    run.size_bytes = sum(entry["size"] for entry in files.values())
    run.manifest = {key: manifest[key] for key in ("name", "created_at", "vendor", "files")}
    run.finished_at = clock.now()
    run.seconds = time.monotonic() - begun
    run.save()
    log.info("backup %s: %s bytes in %.1f s", name, run.size_bytes, run.seconds)
    return run


def backups_in(folder: Path) -> list[tuple[dt.datetime, Path]]:
    """The complete backups under ``folder``, oldest first, with their local times."""
    found: list[tuple[dt.datetime, Path]] = []
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        if NAME_PATTERN.match(path.name) and (path / MANIFEST).is_file():
            # Local wall-clock time, as named (the keeping rule counts local days).
            stamp = dt.datetime.strptime(path.name[6:21], "%Y%m%d-%H%M%S")  # noqa: DTZ007
            found.append((stamp, path))
    return sorted(found)


def newest_backup(folder: Path | None = None) -> Path | None:
    found = backups_in(Path(folder or settings.JINHU_BACKUP_DIR))
    return found[-1][1] if found else None


def backup_rotate(folder: Path | None = None) -> list[str]:
    """Delete the backups the daily/weekly/monthly keeping rule no longer asks for
    (and half-written ones older than a day); returns the names deleted."""
    folder = Path(folder or settings.JINHU_BACKUP_DIR)
    found = backups_in(folder)
    keep = rotation.to_keep(
        [stamp for stamp, _ in found],
        daily=settings.JINHU_BACKUP_KEEP_DAILY,
        weekly=settings.JINHU_BACKUP_KEEP_WEEKLY,
        monthly=settings.JINHU_BACKUP_KEEP_MONTHLY,
    )
    deleted = []
    for stamp, path in found:
        if stamp not in keep:
            shutil.rmtree(path)
            deleted.append(path.name)
    day_ago = clock.now().timestamp() - 86400
    if folder.is_dir():
        for path in folder.glob(".partial-*"):
            if path.stat().st_mtime < day_ago:
                shutil.rmtree(path, ignore_errors=True)
    return deleted
