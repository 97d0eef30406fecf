"""Thin Celery tasks for the duty system."""

from celery import shared_task

from attendance.services import rosters


@shared_task(name="attendance.slots_extend_horizon")
def slots_extend_horizon() -> int:
    """Nightly: keep every village's duty slots materialised weeks ahead."""
    return rosters.slots_extend_horizon()
