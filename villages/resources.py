"""The village column of django-import-export resources, keyed on the village code and
limited to the importer's scope (an out-of-scope code is an error like an unknown one)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from import_export import widgets

from villages.models import Village


class ScopedVillageWidget(widgets.ForeignKeyWidget):
    def __init__(self, user=None):
        super().__init__(Village, field="code")
        self.user = user

    def get_queryset(self, value, row, *args, **kwargs):
        qs = Village.objects.all()
        return qs.for_user(self.user) if self.user is not None else qs

    def clean(self, value, row=None, **kwargs):
        code = str(value or "").strip()
        if not code:
            raise ValueError(_("村编码不能为空"))
        try:
            return self.get_queryset(value, row).get(code=code)
        except Village.DoesNotExist:
            raise ValueError(_("村编码 %(c)s 不存在，或不在您的管理范围内") % {"c": code}) from None
