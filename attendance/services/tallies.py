"""Monthly duty tallies: slot outcomes counted per village and month.

Recounted from ``SlotOutcome`` for the months the judge or the rebuild touched
(never incremented, so a re-run reaches the same rows). ``changed_at`` moves
only when a count changes; scores compare it with their own ``computed_at``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Collection

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth, ExtractYear

from attendance.core import promise
from attendance.models import COMPLIANT_STATES, JUDGED_STATES, DutyPromise, DutyTally, SlotOutcome
from jinhu.core import clock, periods
from villages.selectors import Village

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
    promise_refresh(
        years=range(start.year, end.year + 1), village_ids=village_ids, today=clock.local_date(now)
    )
    return len(changed) + len(fresh)


def promise_refresh(
    *,
    years: Collection[int],
    village_ids: Collection[int] | None = None,
    today: dt.date | None = None,
) -> int:
    """Recount who kept the duty promise over each year's judged slots up to ``today``
    (``DutyPromise``), for ``village_ids`` or every village; returns the rows written.

    One grouped pass over the year's outcomes per year; the verdict per cadre is
    ``attendance.core.promise``'s, as on the live drill-down.
    """
    today = today or clock.today()
    written = 0
    for year in years:
        first, last = periods.year_bounds(year)
        end = min(last, today)
        if end < first:
            continue  # a year not begun has nothing judged "so far"
        outcomes = SlotOutcome.objects.filter(day__gte=first, day__lte=end, cadre__isnull=False)
        if village_ids is not None:
            outcomes = outcomes.filter(village_id__in=village_ids)
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for village_id, judged, compliant in (
            outcomes.order_by()
            .values("village_id", "cadre_id")
            .annotate(
                judged=Count("pk", filter=Q(state__in=JUDGED_STATES)),
                compliant=Count("pk", filter=Q(state__in=COMPLIANT_STATES)),
            )
            .values_list("village_id", "judged", "compliant")
        ):
            if judged:
                counts[village_id][0] += 1
                counts[village_id][1] += promise.kept(judged, compliant)
        # Every village asked about gets its row (a zero one where nothing was judged), so
        # that the figure never has to count a village live only because its row is missing.
        villages = (
            set(village_ids)
            if village_ids is not None
            else set(Village.objects.values_list("pk", flat=True))
        )
        rows = [
            DutyPromise(village_id=v, year=year, as_of=end, cadres=counts[v][0], kept=counts[v][1])
            for v in villages
        ]
        DutyPromise.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["village", "year"],
            update_fields=["as_of", "cadres", "kept"],
        )
        written += len(rows)
    return written
