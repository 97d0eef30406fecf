"""The Celery app. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinhu.settings")

app = Celery("jinhu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class QueueOnConnect(bootsteps.StartStopStep):
    """Queue the ``JINHU_WORKER_CONNECT_TASKS`` each time the worker's consumer starts.

    The consumer restarts after every loss of the broker connection, so this runs when
    a worker starts and when Redis comes back: work stored meanwhile is picked up
    without waiting for beat (which may be down too) or for the broker's hour-long
    visibility timeout on the messages of a killed worker.
    """

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def start(self, consumer) -> None:
        from django.conf import settings

        for name, kwargs in getattr(settings, "JINHU_WORKER_CONNECT_TASKS", {}).items():
            consumer.app.send_task(name, kwargs=kwargs)


app.steps["consumer"].add(QueueOnConnect)
