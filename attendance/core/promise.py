"""The duty promise (坐班承诺): when a cadre has kept it, from their judged slots.

Pure: the counts in, the verdict out. The live drill-down (``attendance.selectors``)
and the stored yearly counts (``attendance/services/tallies.py``) decide the same way
here, so the headline figure and the list behind it cannot disagree.
"""

from __future__ import annotations

#: a cadre kept the duty promise for a period when at least this share (percent) of
#: their judged slots was on time or excused
PROMISE_KEPT_RATE = 95


def permille(judged: int, compliant: int) -> int:
    """The rate in tenths of a percent, rounded half up, in integers only (so that the
    set-based rebuild's SQL, ``attendance/services/rebuild.py``, computes the same)."""
    return (2000 * compliant + judged) // (2 * judged)


def rate(judged: int, compliant: int) -> float | None:
    """The compliance rate in percent, one decimal; None with nothing judged."""
    return permille(judged, compliant) / 10 if judged else None


def kept(judged: int, compliant: int) -> bool:
    """At least ``PROMISE_KEPT_RATE`` percent, as the rate is shown (one decimal)."""
    return bool(judged) and permille(judged, compliant) >= PROMISE_KEPT_RATE * 10
