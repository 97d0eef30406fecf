"""When outgoing messages may go: quiet hours, the digest's hour, retry back-off.

All moments here are naive local wall-clock times (Asia/Shanghai); the caller converts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class QuietHours:
    """A nightly window, e.g. 21:30–07:30 (it may cross midnight). Equal ends: none."""

    start: dt.time
    end: dt.time

    @classmethod
    def parse(cls, value: str) -> QuietHours | None:
        """``"21:30-07:30"`` → QuietHours; ``""`` → None; ValueError for anything else."""
        value = value.strip()
        if not value:
            return None
        start, sep, end = value.partition("-")
        if not sep:
            raise ValueError(f"quiet hours must look like 21:30-07:30, not {value!r}")
        hours = cls(parse_time(start), parse_time(end))
        return None if hours.start == hours.end else hours

    def contains(self, moment: dt.datetime) -> bool:
        clock = moment.time()
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def ends_after(self, moment: dt.datetime) -> dt.datetime:
        """The first moment at or after ``moment`` outside the window."""
        if not self.contains(moment):
            return moment
        end = dt.datetime.combine(moment.date(), self.end)
        return end if end > moment else end + dt.timedelta(days=1)


def parse_time(value: str) -> dt.time:
    """``"07:30"`` → time(7, 30); ValueError for anything else."""
    hours, sep, minutes = value.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"not a time of day (HH:MM): {value!r}")
    return dt.time(int(hours), int(minutes))


def next_digest(moment: dt.datetime, at: dt.time) -> dt.datetime:
    """The first digest moment (``at`` on some day) at or after ``moment``."""
    candidate = dt.datetime.combine(moment.date(), at)
    return candidate if candidate >= moment else candidate + dt.timedelta(days=1)


#: the first retry waits this long; each later one twice as long, up to the cap
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_CAP = dt.timedelta(hours=1)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt (1, 2, 4 … minutes)."""
    if attempts < 1:
        return dt.timedelta(0)
    wait: dt.timedelta = BACKOFF_BASE * (2 ** min(attempts - 1, 16))
    return min(wait, BACKOFF_CAP)
