"""Every upload field goes through ``jinhu.core.uploads``: one form field, two model
fields (for photos and documents) and one function for services that take a file.

- ``UploadField``: a form field that checks the file (type from its bytes, size, pixels
  from the header, inflated size of a workbook) before anything decodes it, and hands
  on photos re-encoded at phone size without EXIF.
- ``PhotoField`` / ``DocumentField``: model fields whose form field (in our forms and in
  the admin alike) is an ``UploadField`` with the right policy.
- ``accepted(uploaded, policy)``: the same check for a service (report and finding
  evidence), raising ``ValidationError`` with the reason.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import models

from jinhu.core import uploads
from jinhu.core.uploads import DOCUMENT, PHOTO, SPREADSHEET, TEXT  # noqa: F401  (the policies)


def accepted(uploaded, policy: uploads.Policy) -> uploads.Checked:
    """The checked (and, for images, re-encoded) contents, or a ValidationError."""
    try:
        checked = uploads.check(
            uploaded.name or "", uploaded, policy, declared_size=getattr(uploaded, "size", None)
        )
    except uploads.Refused as refused:
        raise ValidationError(refused.message, code="upload") from None
    finally:
        if hasattr(uploaded, "seek"):
            uploaded.seek(0)
    if checked.kind == "image" and policy is not SPREADSHEET:
        checked = uploads.photo(checked)
    return checked


def as_file(checked: uploads.Checked, name: str) -> SimpleUploadedFile:
    """The checked contents as an upload, named after the original (with the extension
    of what it now is)."""
    stem = (name.rsplit(".", 1)[0] or "file")[:80]
    return SimpleUploadedFile(f"{stem}{checked.extension}", checked.data, checked.content_type)


class UploadField(forms.FileField):
    """A file field checked by policy; an accepted photo is replaced by its re-encoding."""

    def __init__(self, *, policy: uploads.Policy = DOCUMENT, **kwargs) -> None:
        self.policy = policy
        kwargs.setdefault("help_text", _help(policy))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        accept = {
            "image": "image/jpeg,image/png,image/webp",
            "pdf": "application/pdf",
            "xlsx": ".xlsx",
            "text": ".csv,.txt",
        }
        attrs["accept"] = ",".join(accept[k] for k in sorted(self.policy.kinds))
        return attrs

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            checked = accepted(value, self.policy)
            if checked.kind == "image":
                return as_file(checked, value.name or "")  # (re-encoded)
        return value


def _help(policy: uploads.Policy) -> str:
    limit = policy.max_bytes
    size = f"{limit // uploads.MB} MB" if limit >= uploads.MB else f"{limit // 1024} KB"
    return f"{policy.describe()}，不超过 {size}"


class PhotoField(models.ImageField):
    """An image field whose uploads are checked and re-encoded (``UploadField``)."""

    def formfield(self, **kwargs):
        kwargs["form_class"] = UploadField
        kwargs.setdefault("policy", PHOTO)
        return models.FileField.formfield(self, **kwargs)


class DocumentField(models.FileField):
    """A file field for a scan or evidence: a photo or a PDF, checked (``UploadField``)."""

    def formfield(self, **kwargs):
        kwargs["form_class"] = UploadField
        kwargs.setdefault("policy", DOCUMENT)
        return super().formfield(**kwargs)
