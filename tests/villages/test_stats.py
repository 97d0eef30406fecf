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


def test_every_structure_figure_opens_to_the_people_it_counts(client, db):
    """On the demo (the article's figures: 49.4 and 47.5, two aged 35 or under, six with
    大专 or above), each figure's list has exactly as many people as the figure, and
    their average age is the average shown; a secretary's list is their village only."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from villages.models import Term, Village
    from villages.selectors import compare_terms, figure_people

    call_command("load_demo", verbosity=0)
    comparison = compare_terms()
    for structure in (comparison.current, comparison.previous):
        term = Term.objects.get(pk=structure.term_id)
        counted = {
            "secretaries": structure.secretary_count,
            "members": structure.member_count,
            "young": structure.members_aged_35_or_under,
            "college": structure.members_college_or_above,
        }
        for figure, number in counted.items():
            assert len(figure_people(term, figure)) == number, (term, figure)
        for figure, average in (
            ("secretaries", structure.secretary_average_age),
            ("members", structure.member_average_age),
        ):
            ages = [p.age for p in figure_people(term, figure)]
            mean = (Decimal(sum(ages)) / len(ages)).quantize(Decimal("0.1"))
            assert mean == average, (term, figure)
    staff = get_user_model().objects.get(username="jiedao")
    client.force_login(staff)
    term = Term.objects.get(pk=comparison.current.term_id)
    page = client.get(f"/villages/structure/{term.pk}/young/").content.decode()
    assert page.count("岁</td>") == comparison.current.members_aged_35_or_under
    assert client.get("/villages/structure/").content.decode().count("/villages/structure/") >= 8
    assert client.get(f"/villages/structure/{term.pk}/nonsense/").status_code == 404
    secretary = get_user_model().objects.get(username="shuji-hongqiao")
    client.force_login(secretary)
    mine = figure_people(term, "members", Village.objects.filter(code="hongqiao"))
    page = client.get(f"/villages/structure/{term.pk}/members/").content.decode()
    assert page.count("岁</td>") == len(mine) and "锦溪村" not in page
