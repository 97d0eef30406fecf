"""Queueing background work: by task name, after commit, coalesced, never fatal.

Services queue work through this module and never import a ``tasks`` module or
the Celery app: a task is named by its registered name (``"attendance.request_parse"``).

- **After commit.** ``enqueue_on_commit`` sends once the surrounding transaction
  commits, so a worker never looks for a row that is not there yet, and a rolled
  back transaction queues nothing.
- **Eager mode.** With no broker (the embedded default, and the tests) the task
  runs in-process at that point, exactly as ``delay()`` would.
- **Coalescing.** ``coalesce="attlog-drain"`` sends only if no task with that mark
  is already waiting: the mark is a Redis key set with ``SET NX`` and an expiry,
  cleared by the task (``started``) before it looks for work, so anything committed
  after that point queues another task and anything before it is seen by the task.
- **A broker that is down is not an error.** The work a task would do is always
  recorded in the database first (a stored request, a pending judgement); when the
  broker or Redis cannot be reached, the send is skipped and logged, and the sweep
  (``attendance.ingest_sweep``: every minute from beat, and whenever a worker
  connects) finds the work when Redis is back. For ``FAILURE_PAUSE`` seconds after a
  failure this process does not try again, so an outage costs no timeout per request.
"""

from __future__ import annotations

import logging
import time
from typing import TypedDict

from celery import current_app
from django.conf import settings
from django.db import OperationalError, transaction

from jinhu.core import redis

log = logging.getLogger(__name__)

#: seconds during which a process stops trying to reach a broker that just failed
FAILURE_PAUSE = 10.0
_paused_until = 0.0


def is_eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def enqueue_on_commit(name: str, *args, coalesce: str | None = None, ttl: int = 60) -> None:
    """Send task ``name`` with ``args`` once the current transaction commits."""
    transaction.on_commit(lambda: enqueue(name, *args, coalesce=coalesce, ttl=ttl))


def enqueue(name: str, *args, coalesce: str | None = None, ttl: int = 60) -> bool:
    """Send task ``name`` now; False if the broker could not be reached (see the module doc)."""
    global _paused_until
    if is_eager():
        _task(name).delay(*args)
        return True
    if time.monotonic() < _paused_until:
        return False
    try:
        if (
            coalesce
            and settings.REDIS_URL
            and not redis.mark_set(settings.REDIS_URL, f"queued:{coalesce}", ttl)
        ):
            return True  # one is already waiting and will see this work
        current_app.send_task(name, args=list(args))
    except Exception as exc:  # kombu/redis/socket errors: the broker is unreachable
        _paused_until = time.monotonic() + FAILURE_PAUSE
        log.warning(
            "could not queue %s (%s: %s); the sweep will pick it up", name, type(exc).__name__, exc
        )
        return False
    return True


def started(coalesce: str) -> None:
    """A coalesced task calls this before it looks for work (see the module doc)."""
    if is_eager() or not settings.REDIS_URL:
        return
    try:
        redis.mark_clear(settings.REDIS_URL, f"queued:{coalesce}")
    except Exception as exc:
        # The mark expires by itself; until then uploads rely on this task and the sweep.
        log.warning("could not clear the mark %s (%s)", coalesce, exc)


def reset() -> None:
    """Forget a recent failure (tests, and a worker that just reconnected)."""
    global _paused_until
    _paused_until = 0.0


def _task(name: str):
    tasks = current_app.tasks
    if name not in tasks:
        # The apps' tasks modules, imported now (not import_default_modules(): its
        # Django fix-up runs django.setup() again, which reconfigures logging).
        current_app.autodiscover_tasks(force=True)
    return tasks[name]


class RetryOptions(TypedDict):
    autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: bool
    retry_jitter: bool
    max_retries: int


def retrying(max_retries: int) -> RetryOptions:
    """Task options for retrying only what is known to be transient (a lost database
    connection, a deadlock victim), with exponential backoff and jitter:
    ``@shared_task(name=..., **queue.retrying(5))``."""
    return {
        "autoretry_for": (OperationalError,),
        "retry_backoff": True,
        "retry_jitter": True,
        "max_retries": max_retries,
    }
