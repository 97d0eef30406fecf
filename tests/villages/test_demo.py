from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command

from villages.models import Village
from villages.selectors import compare_terms

# Written relative to the moment the suite runs at: CI runs it at several.
pytestmark = pytest.mark.time_sensitive


def _text(value) -> str:
    return str(bytes(value)) if isinstance(value, memoryview) else str(value)


def _snapshot():
    """Every row of every domain model, as values: a second load must not change it."""
    rows = {}
    for label in ("villages", "attendance", "collective_economy", "demonstration_belt"):
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = sorted(
                tuple(sorted((k, _text(v)) for k, v in row.items()))
                for row in model.objects.values()
            )
    return rows


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def test_demo_loader_is_idempotent(demo):
    from auditlog.models import LogEntry

    first = _snapshot()
    audit = LogEntry.objects.count()
    call_command("load_demo", verbosity=0)
    assert _snapshot() == first
    assert LogEntry.objects.count() == audit  # the second run writes no history either


def test_demo_has_the_belt_and_the_other_villages(demo):
    names = set(Village.objects.values_list("name", flat=True))
    assert "桃源社区" in names
    assert Village.objects.count() == 10
    assert all(Village.objects.values_list("is_demo", flat=True))


def test_demo_cadre_statistics_equal_the_article(demo):
    """新一届书记平均49.4岁，减少3岁；成员平均47.5岁，减少4岁；35岁以下2名；大专以上6名。"""
    comparison = compare_terms()
    assert comparison.current.secretary_average_age == Decimal("49.4")
    assert comparison.secretary_age_drop == Decimal("3.0")
    assert comparison.current.member_average_age == Decimal("47.5")
    assert comparison.member_age_drop == Decimal("4.0")
    assert comparison.current.members_aged_35_or_under == 2
    assert comparison.current.members_college_or_above == 6


def test_demo_logins_see_their_scope(demo, client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="shuji-yongfeng")
    client.force_login(user)
    body = client.get("/villages/").content.decode()
    assert "咏风村" in body
    assert "虹桥村" not in body


def test_demo_duty_log_year_is_of_the_article_order(demo):
    """今年以来接待群众7000余人次，办理事项1800余件次，调处纠纷100余件 — of that order."""
    import datetime as dt

    from django.utils import timezone

    from attendance.models import DutyLogEntry

    year = DutyLogEntry.objects.filter(day__gt=timezone.localdate() - dt.timedelta(days=365))
    totals = year.totals()
    assert 7000 <= totals["visitors"] < 10000
    assert 1800 <= totals["matters"] < 2500
    assert 100 <= totals["disputes"] < 200
