"""The duty promise (坐班承诺): when a cadre has kept it, from their judged slots.

Pure: the counts in, the verdict out. The live drill-down (``attendance.selectors``)
and the stored yearly counts (``attendance/services/tallies.py``) decide the same way
here, so the headline figure and the list behind it cannot disagree.
"""

from __future__ import annotations

#: a cadre kept the duty promise for a period when at least this share (percent) of
#: their judged slots was on time or excused
PROMISE_KEPT_RATE = 95


def rate(judged: int, compliant: int) -> float | None:
    """The compliance rate in percent, one decimal; None with nothing judged."""
    return round(compliant * 100 / judged, 1) if judged else None


def kept(judged: int, compliant: int) -> bool:
    value = rate(judged, compliant)
    return value is not None and value >= PROMISE_KEPT_RATE
