"""Monthly duty tallies: slot outcomes counted per village and month.

Recounted from ``SlotOutcome`` for the months the judge or the rebuild touched
(never incremented, so a re-run reaches the same rows). ``changed_at`` moves
only when a count changes; scores compare it with their own ``computed_at``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth, ExtractYear

from attendance.models import COMPLIANT_STATES, JUDGED_STATES, DutyTally, SlotOutcome
from jinhu.core import clock

COUNTS = ("judged", "compliant")


def month_span(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The whole months that ``start``–``end`` touch."""
    last = calendar.monthrange(end.year, end.month)[1]
    return start.replace(day=1), end.replace(day=last)


def tallies_refresh(
    *,
    start: dt.date,
    end: dt.date,
    village_ids: Collection[int] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Recount the months touched by ``start``–``end``; returns the rows that changed."""
    now = now or clock.now()
    start, end = month_span(start, end)
    outcomes = SlotOutcome.objects.filter(day__gte=start, day__lte=end)
    tallies = DutyTally.objects.filter(
        Q(year__gt=start.year) | Q(year=start.year, month__gte=start.month),
        Q(year__lt=end.year) | Q(year=end.year, month__lte=end.month),
    )
    if village_ids is not None:
        outcomes = outcomes.filter(village_id__in=village_ids)
        tallies = tallies.filter(village_id__in=village_ids)
    fresh = {
        (v, y, m): counts
        for v, y, m, *counts in outcomes.annotate(y=ExtractYear("day"), m=ExtractMonth("day"))
        .values("village_id", "y", "m")
        .annotate(
            judged=Count("pk", filter=Q(state__in=JUDGED_STATES)),
            compliant=Count("pk", filter=Q(state__in=COMPLIANT_STATES)),
        )
        .values_list("village_id", "y", "m", *COUNTS)
    }
    changed = []
    for tally in tallies:
        counts = fresh.pop((tally.village_id, tally.year, tally.month), [0, 0])
        if [tally.judged, tally.compliant] != counts:
            tally.judged, tally.compliant = counts
            tally.changed_at = now
            changed.append(tally)
    DutyTally.objects.bulk_update(changed, [*COUNTS, "changed_at"], batch_size=1000)
    DutyTally.objects.bulk_create(
        [
            DutyTally(
                village_id=v,
                year=y,
                month=m,
                judged=judged,
                compliant=compliant,
                changed_at=now,
            )
            for (v, y, m), (judged, compliant) in fresh.items()
        ],
        batch_size=1000,
    )
    return len(changed) + len(fresh)
