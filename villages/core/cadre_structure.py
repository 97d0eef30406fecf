"""Cadre structure statistics (seed-summary row 10), computed from records.

"新一届村党组织书记平均年龄49.4岁，比上一届减少3岁；村党组织成员平均年龄47.5岁，
比上一届减少4岁，其中35周岁以下2名，大专以上学历6名" — every figure here is
computed from CadrePosition rows, with ages in full years (周岁) on the day the
term began. Pure: ``summarise`` takes plain values; ``villages.selectors`` gathers them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

YOUNG_AGE_LIMIT = 35  # "35周岁以下" is read as "aged 35 or under"
#: ``Cadre.Education.COLLEGE``: "大专以上" is education >= this (the choices are ordered)
COLLEGE = 40


class TermLike(Protocol):
    pk: int
    name: str
    starts_on: dt.date


@dataclass(frozen=True)
class Person:
    cadre_id: int
    age: int
    education: int
    is_secretary: bool


@dataclass(frozen=True)
class TermStructure:
    term_id: int
    term_name: str
    starts_on: dt.date
    secretary_count: int
    secretary_average_age: Decimal | None
    member_count: int
    member_average_age: Decimal | None
    members_aged_35_or_under: int
    members_college_or_above: int


def _average(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def summarise(term: TermLike, people: list[Person]) -> TermStructure:
    secretaries = [p.age for p in people if p.is_secretary]
    members = [p.age for p in people]
    return TermStructure(
        term_id=term.pk,
        term_name=term.name,
        starts_on=term.starts_on,
        secretary_count=len(secretaries),
        secretary_average_age=_average(secretaries),
        member_count=len(members),
        member_average_age=_average(members),
        members_aged_35_or_under=sum(1 for p in people if p.age <= YOUNG_AGE_LIMIT),
        members_college_or_above=sum(1 for p in people if p.education >= COLLEGE),
    )


@dataclass(frozen=True)
class TermComparison:
    current: TermStructure
    previous: TermStructure | None

    @property
    def secretary_age_drop(self) -> Decimal | None:
        before = self.previous.secretary_average_age if self.previous else None
        now = self.current.secretary_average_age
        return None if before is None or now is None else before - now

    @property
    def member_age_drop(self) -> Decimal | None:
        before = self.previous.member_average_age if self.previous else None
        now = self.current.member_average_age
        return None if before is None or now is None else before - now


#: the figures of the structure table a person can open, and who each one counts
FIGURES: dict[str, tuple[str, Callable[[Person], bool]]] = {
    "secretaries": ("村党组织书记", lambda p: p.is_secretary),
    "members": ("村党组织成员", lambda p: True),
    "young": ("35周岁及以下的成员", lambda p: p.age <= YOUNG_AGE_LIMIT),
    "college": ("大专及以上学历的成员", lambda p: p.education >= COLLEGE),
}
