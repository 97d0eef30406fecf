"""Which backups to keep: the newest of each of the last N days, weeks and months.

Pure (no clock, no files): callers pass the backups' times. A backup is kept when it
is the newest of its day among the ``daily`` most recent days that have one, or of
its ISO week among the ``weekly`` most recent such weeks, or of its month among the
``monthly`` most recent such months (grandfather-father-son). The newest backup is
always kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable


def _newest_per(
    times: list[dt.datetime], key: Callable[[dt.datetime], Hashable], count: int
) -> set[dt.datetime]:
    chosen: dict[Hashable, dt.datetime] = {}
    for moment in sorted(times, reverse=True):
        bucket = key(moment)
        if bucket not in chosen:
            if len(chosen) == count:
                break
            chosen[bucket] = moment
    return set(chosen.values())


def to_keep(
    times: Iterable[dt.datetime], *, daily: int, weekly: int, monthly: int
) -> set[dt.datetime]:
    """The times (local wall-clock datetimes) of the backups to keep."""
    times = list(times)
    if not times:
        return set()
    keep = {max(times)}
    keep |= _newest_per(times, lambda t: t.date(), daily)
    keep |= _newest_per(times, lambda t: t.isocalendar()[:2], weekly)
    keep |= _newest_per(times, lambda t: (t.year, t.month), monthly)
    return keep
