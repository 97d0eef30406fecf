"""Thin Celery tasks for operations: the worker's heartbeat, the nightly backup and drill."""

from __future__ import annotations

from celery import shared_task

from operations.models import Heartbeat
from operations.services import backup, drill, heartbeats


@shared_task(name="operations.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Every minute from beat: the worker that runs it is alive and reaches its queue."""
    heartbeats.heartbeat_note(Heartbeat.WORKER, event="task")


@shared_task(name="operations.backup_nightly")
def backup_nightly() -> dict:
    """Take a backup, then thin the old ones (daily, weekly and monthly copies kept)."""
    run = backup.backup_create()
    deleted = backup.backup_rotate()
    return {"backup": run.name, "bytes": run.size_bytes, "deleted": deleted}


@shared_task(name="operations.restore_drill")
def restore_drill() -> dict:
    """Restore the newest backup into scratch and compare it (recorded; alerts on failure)."""
    run = drill.drill_run()
    return {"backup": run.backup_name, "ok": run.ok, "error": run.error}
