from django import forms
from django.core.exceptions import ValidationError

from villages.models import Cadre, ScopedQuerySet


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
