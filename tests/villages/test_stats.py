import datetime as dt
from decimal import Decimal

from tests.factories import CadreFactory, CadrePositionFactory, TermFactory
from villages.core.cadre_structure import Person, summarise
from villages.models import CadrePosition
from villages.selectors import term_structure


def test_summarise_by_hand(db):
    term = TermFactory()
    people = [
        Person(cadre_id=1, age=40, education=40, is_secretary=True),
        Person(cadre_id=2, age=51, education=30, is_secretary=True),
        Person(cadre_id=3, age=35, education=50, is_secretary=False),
        Person(cadre_id=4, age=36, education=20, is_secretary=False),
    ]
    result = summarise(term, people)
    assert result.secretary_average_age == Decimal("45.5")
    assert result.member_average_age == Decimal("40.5")
    assert result.members_aged_35_or_under == 1
    assert result.members_college_or_above == 2


def test_age_is_full_years_on_term_start(db):
    term = TermFactory(starts_on=dt.date(2026, 4, 10))
    day_before = CadreFactory(birth_date=dt.date(1990, 4, 11))  # 35 on 2026-04-11
    on_the_day = CadreFactory(birth_date=dt.date(1990, 4, 10))  # 36 on 2026-04-10
    for cadre in (day_before, on_the_day):
        CadrePositionFactory(cadre=cadre, term=term)
    result = term_structure(term)
    assert result.members_aged_35_or_under == 1


def test_committee_only_posts_are_not_party_members(db):
    term = TermFactory()
    CadrePositionFactory(term=term, title=CadrePosition.Title.COMMITTEE_MEMBER)
    assert term_structure(term).member_count == 0
