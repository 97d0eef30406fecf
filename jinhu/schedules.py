"""The Celery beat schedule, in code (DESIGN.md: "the beat schedule lives in code").

Every entry carries ``expires`` shorter than its period, so that a beat that was
down does not release a pile of stale runs when it comes back (paperless habit).
Times are Asia/Shanghai (CELERY_TIMEZONE).
"""

from celery.schedules import crontab


def entry(task: str, schedule: crontab, *, expires: int, **kwargs) -> dict:
    return {"task": task, "schedule": schedule, "options": {"expires": expires}, **kwargs}


BEAT_SCHEDULE: dict[str, dict] = {
    # 01:10 every night: materialise duty slots eight weeks ahead.
    "duty-slots-horizon": entry(
        "attendance.slots_extend_horizon", crontab(hour=1, minute=10), expires=6 * 3600
    ),
    # Every minute: copy device liveness from the cache into the database.
    "devices-liveness": entry("attendance.devices_flush_liveness", crontab(), expires=50),
    # Every 15 minutes: judge recent slots (they leave "pending" as time passes).
    "outcomes-recent": entry(
        "attendance.outcomes_judge_recent", crontab(minute="*/15"), expires=14 * 60
    ),
    # Every minute: requests stored but not parsed, and days marked but not judged (a
    # lost task, a killed worker, Redis down) are done now. Workers also run it whenever
    # they connect to the broker (jinhu/celery.py), so recovery does not wait for beat.
    "ingest-sweep": entry("attendance.ingest_sweep", crontab(), expires=50),
    # 04:20 every night: unknown devices nobody approved are forgotten.
    "devices-expire-pending": entry(
        "attendance.devices_expire_pending", crontab(hour=4, minute=20), expires=3 * 3600
    ),
    # Every 10 minutes: unanswered device commands expire and are re-sent.
    "commands-retry": entry(
        "attendance.commands_retry_stale", crontab(minute="*/10"), expires=9 * 60
    ),
    # 03:00 every day: score the year so far; the day after a month's reports fall due
    # (JINHU_REPORT_DUE_DAY) it is scored in full and leaves 进行中 (unchanged rows cost
    # nothing).
    "score-closed-month": entry(
        "belt.score_closed_month", crontab(hour=3, minute=0), expires=20 * 3600
    ),
    # Hourly: periods whose source rows changed after scoring are rescored.
    "rescore-stale": entry("belt.rescore_stale", crontab(minute=40), expires=50 * 60),
    # Sundays 05:00: change-history entries older than JINHU_AUDIT_KEEP_DAYS (>= 180).
    "audit-prune": entry(
        "villages.audit_prune", crontab(hour=5, minute=0, day_of_week=0), expires=6 * 3600
    ),
    # 02:30 every night: ask every clock for yesterday's record count.
    "reconciliation": entry(
        "attendance.reconciliation_queue", crontab(hour=2, minute=30), expires=3 * 3600
    ),
    # 04:40 every night: raw device requests older than JINHU_DEVICE_REQUEST_KEEP_MONTHS
    # are archived to files and deleted in small batches (docs/operations.md).
    "requests-archive": entry(
        "attendance.requests_archive", crontab(hour=4, minute=40), expires=3 * 3600
    ),
    # Every minute: the worker that runs it writes its heartbeat (the status page).
    "ops-heartbeat": entry("operations.heartbeat", crontab(), expires=50),
    # 01:30 every night: back up the database and media, then thin old copies.
    "backup-nightly": entry(
        "operations.backup_nightly", crontab(hour=1, minute=30), expires=6 * 3600
    ),
    # 05:30 every night: restore the newest backup into scratch and compare it.
    "restore-drill": entry(
        "operations.restore_drill", crontab(hour=5, minute=30), expires=6 * 3600
    ),
    # 00:10 every night: the year's duty-promise counts as of the new day (the belt's
    # headline "N of M cadres" reads them; a day not yet counted is counted live).
    "promise-refresh": entry(
        "attendance.promise_refresh_year", crontab(hour=0, minute=10), expires=6 * 3600
    ),
    # Every five minutes: the notification rules, each occasion told once (a run that was
    # missed is caught up by the next one).
    "notifications-evaluate": entry(
        "notifications.evaluate", crontab(minute="*/5"), expires=4 * 60
    ),
    # Every minute: deliveries that are due (none in the quiet hours; retries back off).
    "notifications-send": entry("notifications.send_due", crontab(), expires=50),
}
