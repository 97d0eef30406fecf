# Expose the Celery app so that `celery -A jinhu worker` finds it and
# `@shared_task` binds to it as soon as Django starts.
from .celery import app as celery_app

__all__ = ("celery_app",)
