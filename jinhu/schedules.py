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
}
