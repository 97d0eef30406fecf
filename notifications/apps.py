from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("提醒通知")

    def ready(self) -> None:
        from jinhu.core import history
        from notifications.models import Channel, Rule

        history.register(Rule, exclude_fields=["evaluated_at"])
        history.register(Channel, exclude_fields=["failures", "failing_since", "token", "secret"])
        post_migrate.connect(_rules_ensure, sender=self)


def _rules_ensure(**kwargs) -> None:
    from notifications.services.evaluate import rules_ensure

    rules_ensure()
