from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemonstrationBeltConfig(AppConfig):
    name = "demonstration_belt"
    verbose_name = _("党建示范带")
