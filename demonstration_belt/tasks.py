"""Thin scoring tasks: the month after it closes, the year, and late data."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from demonstration_belt import scoring_services
from jinhu.core import clock

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 3,
}


@shared_task(name="belt.score_closed_month", **RETRY)
def score_closed_month() -> dict:
    """The previous month (it closed when its reports fell due), and the year so far."""
    today = clock.today()
    first = today.replace(day=1)
    last_month = first - dt.timedelta(days=1)
    return scoring_services.score_year(year=last_month.year)


@shared_task(name="belt.rescore_stale", **RETRY)
def rescore_stale() -> int:
    return scoring_services.rescore_stale()
