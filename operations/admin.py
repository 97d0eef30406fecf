"""The operations records, read-only (services write them; the status page reads them)."""

from django.contrib import admin

from jinhu.core.admin import ReadOnlyAdmin
from operations.models import BackupRun, DrillRun, Heartbeat, TaskTally


@admin.register(BackupRun)
class BackupRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "name", "ok", "vendor", "size_bytes", "seconds")
    list_filter = ("ok",)


@admin.register(DrillRun)
class DrillRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "backup_name", "ok", "restore_seconds", "seconds")
    list_filter = ("ok",)


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("name", "beat_at")


@admin.register(TaskTally)
class TaskTallyAdmin(ReadOnlyAdmin):
    list_display = ("name", "failures", "retries", "last_failure_at")
