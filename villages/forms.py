from django import forms
from django.core.exceptions import ValidationError

from villages.models import Cadre


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
