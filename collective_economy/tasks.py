"""Thin tasks for the collective economy: imports of any size, in the background."""

from __future__ import annotations

from celery import shared_task

from collective_economy.services import imports as import_services
from jinhu.core import queue

RETRY = queue.retrying(3)


@shared_task(name="economy.import_check", **RETRY)
def import_check(job_id: int) -> str | None:
    return import_services.import_job_check(job_id)


@shared_task(name="economy.import_apply", **RETRY)
def import_apply(job_id: int) -> str | None:
    return import_services.import_job_apply(job_id)
