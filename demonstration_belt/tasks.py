"""Thin scoring tasks: the month after it closes, the year, and late data."""

from __future__ import annotations

from celery import shared_task

from demonstration_belt.services import scores
from jinhu.core import clock, periods, queue

RETRY = queue.retrying(3)


@shared_task(name="belt.score_closed_month", **RETRY)
def score_closed_month() -> dict:
    """Daily: every month of the year so far (and the year), so that a month is rescored
    the day after its progress reports fell due (JINHU_REPORT_DUE_DAY) and leaves
    进行中; unchanged scores are not rewritten. In January, last year too."""
    last = periods.last_complete_month(clock.today())
    result = scores.score_year(year=last.year)
    if last.year != clock.today().year:
        scores.score_year(year=clock.today().year)
    return result


@shared_task(name="belt.rescore_stale", **RETRY)
def rescore_stale() -> int:
    return scores.rescore_stale()
