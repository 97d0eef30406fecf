from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = _("系统运行")

    def ready(self) -> None:
        from operations.services import heartbeats

        heartbeats.connect_signals()
