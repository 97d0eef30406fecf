"""Password rules in Chinese: length (Django's validator, translated) and character
classes (this module). 等保 2.0 assessors ask for a mix of character classes; NIST and
ASVS 6.2.5 advise against composition rules. The portal asks for three of the four
classes, with a minimum length of 10 and the common-password list; docs/security.md
records the choice."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    ("小写字母", str.islower),
    ("大写字母", str.isupper),
    ("数字", str.isdigit),
    ("符号", lambda ch: not ch.isalnum()),
)


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def classes_in(self, password: str) -> set[str]:
        return {name for name, test in CLASSES if any(test(ch) for ch in password)}

    def validate(self, password: str, user=None) -> None:
        found = self.classes_in(password)
        if len(found) < self.min_classes:
            missing = "、".join(name for name, _test in CLASSES if name not in found)
            message = _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)d 类") + _(
                "（还缺：%(missing)s）。"
            )
            raise ValidationError(
                message % {"n": self.min_classes, "missing": missing},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("须包含小写字母、大写字母、数字、符号中的至少 %(n)d 类。") % {
            "n": self.min_classes
        }
