"""How numbers, money, dates and people read on every page, in one place (a builtin of
the template engine: no ``{% load %}`` needed).

- ``person``: a person by their name (never their login); ``person_role`` adds the role.
- ``yuan``: money in yuan, thousands separated, two decimals: ``167,082.00 元``;
  ``amount`` the same without the unit, for a column headed 元.
- ``count``: a whole number, thousands separated: ``11`` (never ``11.00``).
- ``percent``: ``95.0%`` (one decimal by default).
- ``cn_date`` / ``cn_datetime``: ``2026年11月26日`` / ``2026年11月26日 10:05``, local time.
- ``status_class``: a Bootstrap badge class for a workflow state.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import timezone

register = template.Library()

EMPTY = "—"


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def person(user: Any) -> str:
    """A person as the pages show them: their name, never their login."""
    from villages.selectors import display_name  # (a builtin: loaded before the models)

    return display_name(user) if user is not None else EMPTY


@register.filter
def person_role(user: Any) -> str:
    """A person's name and role: ``王强（村书记）``."""
    from villages.selectors import Role, display_name, role_of

    if user is None:
        return EMPTY
    role = role_of(user)
    name = display_name(user)
    return f"{name}（{Role(role).label}）" if role else name


@register.filter
def yuan(value: Any) -> str:
    number = _decimal(value)
    if number is None:
        return EMPTY
    return f"{number.quantize(Decimal('0.01'), ROUND_HALF_UP):,} 元"


@register.filter
def amount(value: Any) -> str:
    """Money in a column whose header says 元: ``167,082.00``."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    return f"{number.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


@register.filter
def count(value: Any) -> str:
    number = _decimal(value)
    if number is None:
        return EMPTY
    return f"{int(number.quantize(Decimal(1), ROUND_HALF_UP)):,}"


@register.filter
def percent(value: Any, digits: int = 1) -> str:
    number = _decimal(value)
    if number is None:
        return EMPTY
    step = Decimal(1).scaleb(-int(digits))
    return f"{number.quantize(step, ROUND_HALF_UP)}%"


@register.filter
def cn_date(value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def cn_datetime(value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


#: workflow states by what they ask of people: done, waiting, needs work, closed
_STATE_CLASSES = {
    "approved": "text-bg-success",
    "closed": "text-bg-success",
    "confirmed": "text-bg-success",
    "submitted": "text-bg-primary",
    "pending": "text-bg-primary",
    "returned": "text-bg-warning",
    "rejected": "text-bg-danger",
    "draft": "text-bg-light border",
    "cancelled": "text-bg-secondary",
    "sent": "text-bg-success",
    "failed": "text-bg-danger",
    "skipped": "text-bg-secondary",
}


@register.filter
def status_class(value: Any) -> str:
    return _STATE_CLASSES.get(str(value), "text-bg-secondary")
