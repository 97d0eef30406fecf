"""The registry's field validators (codes in URLs and QR codes, phone numbers)."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{1,31}$",
    _("编码只能包含小写字母、数字和连字符，2–32 位，以字母或数字开头。"),
)
phone_validator = RegexValidator(
    r"^[0-9+\-() ]{5,20}$", _("请输入有效的电话号码（数字、空格、+、-、括号）。")
)
