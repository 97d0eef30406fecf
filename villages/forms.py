from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jinhu.core.forms import StyledFormMixin
from villages.models import Cadre
from villages.templatetags.formatting import person_role


class CadreForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Cadre
        fields = [
            "name",
            "gender",
            "birth_date",
            "education",
            "is_party_member",
            "office_phone",
            "private_phone",
            "photo",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}


class AuditFilterForm(StyledFormMixin, forms.Form):
    """The 操作日志 filters: person, village, kind, dates (all optional)."""

    person: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("操作人"), queryset=None, required=False, empty_label=_("全部人员")
    )
    village: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("村（社区）"), queryset=None, required=False, empty_label=_("全部村（社区）")
    )
    kind = forms.ChoiceField(label=_("类别"), required=False)
    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        from django.contrib.auth import get_user_model

        from villages import selectors
        from villages.models import Village

        super().__init__(*args, **kwargs)
        people = get_user_model().objects.select_related("profile").order_by("username")
        self.fields["person"].queryset = people
        # People by name and role (as everywhere): never their login.
        self.fields["person"].label_from_instance = person_role
        self.fields["village"].queryset = Village.objects.for_user(user).order_by("code")
        self.fields["kind"].choices = [("", _("全部类别")), *selectors.audited_kinds()]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("截止日期不能早于起始日期。"))
        return data
