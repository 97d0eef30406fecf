"""What every form and list page shares: Bootstrap classes on widgets, choices narrowed
to the user's scope, and a service's refusal shown field by field or as a message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError


def errors_as_messages(request, form) -> None:
    """A form posted from a list page (which redirects back) says which field and why
    through messages, as the page itself would."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for message in errors:
            messages.error(request, f"{label}：{message}" if label else message)


def refusal_as_message(request, error: Exception, default: str = "") -> None:
    """A service's refusal (ValidationError, PermissionDenied) as one error message."""
    texts = getattr(error, "messages", None) or [default or str(error)]
    messages.error(request, "；".join(str(t) for t in texts))


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, field by field when it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


#: Django's empty choice, which says nothing to a secretary on a phone
DASHES = "---------"


class StyledFormMixin:
    """Bootstrap classes on every widget, so templates stay plain loops; an empty choice
    says in words what to pick (``请选择村（社区）``), never ``---------``."""

    fields: dict[str, Any]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            prompt = f"请选择{field.label}" if field.label else "请选择"
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label == DASHES:
                    field.empty_label = prompt
            elif isinstance(field, forms.ChoiceField):
                choices: list[Any] = list(field.choices)  # type: ignore[arg-type]
                if choices and choices[0][0] == "" and choices[0][1] == DASHES:
                    field.choices = [("", prompt), *choices[1:]]
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

    Built with ``user=``, each choice field whose queryset is scoped (has ``for_user``)
    (villages, meetings, inspections, cadres, …) is narrowed to the user's scope, so a
    form can never offer an object of another village, whatever field is added later.
    """

    fields: dict[str, Any]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            for_user = getattr(queryset, "for_user", None)
            if for_user is not None:
                field.queryset = for_user(user)
