"""The registry's background jobs."""

from celery import shared_task

from villages.services import audit


@shared_task(name="villages.audit_prune")
def audit_prune() -> int:
    """Change-history entries older than JINHU_AUDIT_KEEP_DAYS (at least 180) go."""
    return audit.prune()
