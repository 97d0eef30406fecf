"""One parser for the period and id parameters of every page.

A page reads ``?year=``, ``?month=``, ``?cadre=`` and the like through these
functions. Anything malformed or out of range raises ``BadParameter`` with a
message in Chinese; ``jinhu.core.middleware.BadParameterMiddleware`` answers it
with a 400 page that says which parameter was wrong and why. No page turns a
typo in the address bar into a 500, a silent default, or a record for the year 1900.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, overload

from jinhu.core.periods import YEAR_MAX, YEAR_MIN, Month


class BadParameter(Exception):
    """A request parameter that cannot be used (answered with 400)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def _raw(params: Mapping, name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def check_year(value: int, name: str = "year") -> int:
    if not YEAR_MIN <= value <= YEAR_MAX:
        raise BadParameter(name, f"年份须在 {YEAR_MIN}–{YEAR_MAX} 之间，收到 {value}。")
    return value


def check_month(value: int, name: str = "month", *, allow_whole_year: bool = False) -> int:
    low = 0 if allow_whole_year else 1
    if not low <= value <= 12:
        raise BadParameter(name, f"月份须为 {low}–12 的整数，收到 {value}。")
    return value


def integer(params: Mapping, name: str, *, default: int | None = None) -> int | None:
    """A whole number (an id, a count); ``default`` when absent or empty."""
    raw = _raw(params, name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 18:
        raise BadParameter(name, f"参数 {name} 须为整数，收到“{raw[:40]}”。")
    return int(raw)


def object_id(params: Mapping, name: str) -> int | None:
    """A database id: a positive whole number, or None when absent."""
    value = integer(params, name)
    if value is not None and value < 1:
        raise BadParameter(name, f"参数 {name} 不是有效的编号。")
    return value


@overload
def year(params: Mapping[str, Any], name: str = "year", *, default: int) -> int: ...
@overload
def year(params: Mapping[str, Any], name: str = "year", *, default: None) -> int | None: ...
def year(params: Mapping[str, Any], name: str = "year", *, default: int | None) -> int | None:
    """``?year=`` checked to lie in the years the portal knows, or ``default``."""
    value = integer(params, name)
    return default if value is None else check_year(value, name)


def month(
    params: Mapping, name: str = "month", *, default: int, allow_whole_year: bool = False
) -> int:
    """A month 1–12 (or 0 for the whole year, where the page offers that)."""
    value = integer(params, name)
    if value is None:
        return default
    return check_month(value, name, allow_whole_year=allow_whole_year)


def year_month(params: Mapping, name: str = "month", *, default: Month) -> Month:
    """A month written ``YYYY-MM``."""
    raw = _raw(params, name)
    if raw is None:
        return default
    try:
        value = Month.parse(raw)
    except ValueError:
        raise BadParameter(name, f"月份须写作“年-月”，例如 2026-11，收到“{raw[:40]}”。") from None
    check_year(value.year, name)
    return value


def date(params: Mapping, name: str, *, default: dt.date | None = None) -> dt.date | None:
    raw = _raw(params, name)
    if raw is None:
        return default
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(
            name, f"日期须写作“年-月-日”，例如 2026-11-26，收到“{raw[:40]}”。"
        ) from None
    check_year(value.year, name)
    return value


def choice(params: Mapping, name: str, choices, *, default: str | None = None) -> str | None:
    """One of ``choices`` (values), or ``default`` when absent."""
    raw = _raw(params, name)
    if raw is None:
        return default
    if raw not in set(choices):
        raise BadParameter(name, f"参数 {name} 的取值“{raw[:40]}”无效。")
    return raw
