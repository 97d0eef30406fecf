"""Signs of life from the background processes, and the tally of failed tasks.

- The worker: beat queues ``operations.heartbeat`` every minute, and the worker that
  runs it writes ``worker`` (it also does when it starts). A stale ``worker`` with a
  fresh ``beat`` means the worker is down or stuck behind its queue.
- Beat: its scheduler (``HeartbeatScheduler``) writes ``beat`` as it ticks, at most
  every 30 seconds. A stale ``beat`` means no schedule runs: no sweep, no scoring, no
  backup.
- Task failures and retries are counted in ``TaskTally`` by Celery's signals in the
  worker, so the web process (the metrics endpoint, the status page) can read them.

Every write here swallows its own errors: a heartbeat must never fail the work it
accompanies.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import transaction
from django.db.models import F

from jinhu.core import clock
from operations.models import Heartbeat, TaskTally

log = logging.getLogger(__name__)


def heartbeat_note(name: str, **detail: Any) -> None:
    try:
        Heartbeat.objects.update_or_create(
            name=name, defaults={"beat_at": clock.now(), "detail": detail}
        )
    except Exception:
        log.warning("could not write the %s heartbeat", name, exc_info=True)


def task_failure_note(name: str, error: str = "") -> None:
    try:
        with transaction.atomic():
            tally, _ = TaskTally.objects.select_for_update().get_or_create(name=name[:100])
            tally.failures = F("failures") + 1
            tally.last_failure_at = clock.now()
            tally.last_error = error[:300]
            tally.save(update_fields=["failures", "last_failure_at", "last_error"])
    except Exception:
        log.warning("could not count the failure of %s", name, exc_info=True)


def task_retry_note(name: str) -> None:
    try:
        with transaction.atomic():
            TaskTally.objects.get_or_create(name=name[:100])
            TaskTally.objects.filter(name=name[:100]).update(retries=F("retries") + 1)
    except Exception:
        log.warning("could not count the retry of %s", name, exc_info=True)


def _on_failure(sender: Any = None, exception: BaseException | None = None, **kwargs: Any) -> None:
    name = getattr(sender, "name", None) or str(sender)
    task_failure_note(name, f"{type(exception).__name__}: {exception}" if exception else "")


def _on_retry(sender: Any = None, **kwargs: Any) -> None:
    task_retry_note(getattr(sender, "name", None) or str(sender))


def _on_worker_ready(sender: Any = None, **kwargs: Any) -> None:
    heartbeat_note(Heartbeat.WORKER, event="ready", hostname=getattr(sender, "hostname", ""))


def connect_signals() -> None:
    from celery import signals

    signals.task_failure.connect(_on_failure, dispatch_uid="ops-task-failure", weak=False)
    signals.task_retry.connect(_on_retry, dispatch_uid="ops-task-retry", weak=False)
    signals.worker_ready.connect(_on_worker_ready, dispatch_uid="ops-worker-ready", weak=False)


class BeatThrottle:
    """At most one ``beat`` heartbeat write per ``every`` seconds."""

    def __init__(self, every: float = 30.0) -> None:
        self.every = every
        self.last = 0.0

    def __call__(self) -> None:
        moment = time.monotonic()
        if moment - self.last >= self.every:
            self.last = moment
            heartbeat_note(Heartbeat.BEAT)
