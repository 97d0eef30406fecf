"""Marking scores stale when their source rows change (late data)."""

from __future__ import annotations

from demonstration_belt.models import VillageScore


def scores_mark_stale(*, village_id: int, year: int, month: int) -> int:
    """The month's score and the year's are out of date; the next run rescores them."""
    return VillageScore.objects.filter(
        village_id=village_id, year=year, month__in=(month, 0)
    ).update(stale=True)
