"""The one place that reads the wall clock ("time is an input").

Views, services, jobs and commands ask this module for "now" and "today" and
pass the answer down; pure code takes the moment as an argument. Tests freeze
the clock at a fixed moment by default (``tests/conftest.py``, time-machine) and
can be run at any other moment (``JINHU_TEST_NOW``), so a page or a job that
would behave differently at night, on a rest day or on 1 January is caught by
the suite, not by a user.

Times are stored in UTC and shown in ``TIME_ZONE`` (Asia/Shanghai): "today" is
the Shanghai calendar day, whatever the server's own zone.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current instant (aware, UTC)."""
    return timezone.now()


def local(moment: dt.datetime | None = None) -> dt.datetime:
    """``moment`` (default: now) as a wall-clock time in Asia/Shanghai."""
    return timezone.localtime(moment if moment is not None else now())


def today() -> dt.date:
    """Today's date in Asia/Shanghai."""
    return local().date()


def local_date(moment: dt.datetime) -> dt.date:
    """The Shanghai calendar day of an instant."""
    return local(moment).date()


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in Asia/Shanghai, as an aware instant."""
    return dt.datetime.combine(day, dt.time(), timezone.get_current_timezone())


def aware(wall_clock: dt.datetime) -> dt.datetime:
    """A naive Asia/Shanghai wall-clock time as an aware instant."""
    return timezone.make_aware(wall_clock, timezone.get_current_timezone())
