"""Cadre structure statistics (seed-summary row 10), computed from records.

"新一届村党组织书记平均年龄49.4岁，比上一届减少3岁；村党组织成员平均年龄47.5岁，
比上一届减少4岁，其中35周岁以下2名，大专以上学历6名" — every figure here is
computed from CadrePosition rows, with ages in full years (周岁) on the day the
term began. The pure part (``summarise``) takes plain values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from villages.models import Cadre, CadrePosition, Term

YOUNG_AGE_LIMIT = 35  # "35周岁以下" is read as "aged 35 or under"


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


def summarise(term: Term, people: list[Person]) -> TermStructure:
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
        members_college_or_above=sum(1 for p in people if p.education >= Cadre.Education.COLLEGE),
    )


def term_structure(term: Term, villages=None) -> TermStructure:
    """Structure of the party organisations' members in ``term``.

    A person is counted once per term even if they held two party posts; the
    first post a person held in the term decides whether they count as the
    secretary. ``villages`` optionally restricts to a queryset of villages.
    """
    positions = (
        CadrePosition.objects.filter(term=term, title__in=CadrePosition.PARTY_TITLES)
        .select_related("cadre")
        .order_by("cadre_id", "starts_on")
    )
    if villages is not None:
        positions = positions.filter(village__in=villages)
    people: dict[int, Person] = {}
    for position in positions:
        cadre = position.cadre
        is_secretary = position.title == CadrePosition.Title.PARTY_SECRETARY
        known = people.get(cadre.pk)
        if known is None or (is_secretary and not known.is_secretary):
            people[cadre.pk] = Person(
                cadre_id=cadre.pk,
                age=cadre.age_on(term.starts_on),
                education=cadre.education,
                is_secretary=is_secretary,
            )
    return summarise(term, list(people.values()))


@dataclass(frozen=True)
class TermComparison:
    current: TermStructure
    previous: TermStructure | None

    @property
    def secretary_age_drop(self) -> Decimal | None:
        if not self.previous or None in (
            self.previous.secretary_average_age,
            self.current.secretary_average_age,
        ):
            return None
        return self.previous.secretary_average_age - self.current.secretary_average_age

    @property
    def member_age_drop(self) -> Decimal | None:
        if not self.previous or None in (
            self.previous.member_average_age,
            self.current.member_average_age,
        ):
            return None
        return self.previous.member_average_age - self.current.member_average_age


def compare_terms(villages=None) -> TermComparison | None:
    """The latest term against the one before it."""
    terms = list(Term.objects.order_by("-number")[:2])
    if not terms:
        return None
    current = term_structure(terms[0], villages)
    previous = term_structure(terms[1], villages) if len(terms) > 1 else None
    return TermComparison(current=current, previous=previous)
