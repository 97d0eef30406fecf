from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from villages.models import Cadre, ScopedQuerySet


def errors_as_messages(request, form) -> None:
    """A form posted from a list page (which redirects back) says which field and why
    through messages, as the page itself would."""
    from django.contrib import messages

    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for message in errors:
            messages.error(request, f"{label}：{message}" if label else message)


def refusal_as_message(request, error: Exception, default: str = "") -> None:
    """A service's refusal (ValidationError, PermissionDenied) as one error message."""
    from django.contrib import messages

    texts = getattr(error, "messages", None) or [default or str(error)]
    messages.error(request, "；".join(str(t) for t in texts))


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, field by field when it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class StyledFormMixin:
    """Bootstrap classes on every widget, so templates stay plain loops."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(
                widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect
            ):
                css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else ""
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class ScopedChoicesMixin:
    """Every model choice the form offers starts from ``for_user()``.

    Built with ``user=``, each choice field whose queryset is a ``ScopedQuerySet``
    (villages, meetings, inspections, cadres, …) is narrowed to the user's scope, so a
    form can never offer an object of another village, whatever field is added later.
    """

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if isinstance(queryset, ScopedQuerySet):
                field.queryset = queryset.for_user(user)


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

    person = forms.ModelChoiceField(
        label=_("操作人"), queryset=None, required=False, empty_label=_("全部人员")
    )
    village = forms.ModelChoiceField(
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

        from villages import audit
        from villages.models import Village

        super().__init__(*args, **kwargs)
        people = get_user_model().objects.select_related("profile").order_by("username")
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda u: (
            f"{u.profile.display_name}（{u.username}）" if hasattr(u, "profile") else u.username
        )
        self.fields["village"].queryset = Village.objects.for_user(user).order_by("code")
        self.fields["kind"].choices = [("", _("全部类别")), *audit.audited_kinds()]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("截止日期不能早于起始日期。"))
        return data
