"""A month whose progress reports are not yet due is 进行中: shown, not penalised for the
missing report, not listed as a problem; once the deadline has passed it is scored in
full, and the change stays in its history."""

from decimal import Decimal as D

import pytest
import time_machine

from demonstration_belt.models import Agreement, Indicator, ScoreHistory, VillageScore
from demonstration_belt.selectors import breakdown_of
from demonstration_belt.services import scores
from jinhu.core import clock
from tests.factories import make_user
from villages.models import Role


@pytest.fixture
def agreement(village_a):
    agreement = Agreement.objects.create(
        village=village_a, year=2026, party_a="书记", award_line=D(90), admonish_line=D(60)
    )
    Indicator.objects.create(
        agreement=agreement,
        order=1,
        name="目标完成",
        kind="targets",
        standard_score=D(30),
        dimension="work",
    )
    return agreement


def november(village):
    return VillageScore.objects.get(village=village, year=2026, month=11)


@pytest.mark.parametrize(
    "moment, provisional",
    [
        ("2026-12-01T09:00:00+08:00", True),
        ("2026-12-05T23:00:00+08:00", True),
        ("2026-12-06T03:00:00+08:00", False),
    ],
)
def test_the_missing_report_counts_only_once_it_is_due(agreement, village_a, moment, provisional):
    with time_machine.travel(moment):
        scores.score_period(year=2026, month=11)
        score = november(village_a)
        line = breakdown_of(score)[0]
        if provisional:
            assert line["final"] == "30.00" and "尚未到报送期限" in line["reason"]
            assert "12月5日" in line["reason"]
        else:
            assert D(line["final"]) == 0 and line["reason"] == "本期没有审核通过的月度进度"


def test_the_day_after_the_deadline_the_change_is_in_the_history(agreement, village_a):
    with time_machine.travel("2026-12-03T09:00:00+08:00"):
        scores.score_period(year=2026, month=11)
        provisional = november(village_a).total
    with time_machine.travel("2026-12-06T03:00:00+08:00"):
        from demonstration_belt.tasks import score_closed_month

        score_closed_month()  # the daily run at 03:00
        final = november(village_a)
    assert (provisional, final.total) == (D("30.00"), D("0.00"))
    assert ScoreHistory.objects.get(score=final).total == provisional


def test_pages_say_in_progress_and_the_bulletin_lists_no_problem_not_yet_due(
    client, agreement, village_a
):
    staff = make_user("provisional-staff", Role.STAFF)
    with time_machine.travel("2026-12-02T09:00:00+08:00"):
        client.force_login(staff)
        scores.score_period(year=2026, month=11)
        dashboard = client.get("/belt/dashboard/").content.decode()
        assert "2026年11月" in dashboard and 'data-testid="provisional"' in dashboard
        bulletin = client.get("/belt/bulletin/?year=2026&month=11").content.decode()
        assert "（进行中）" in bulletin and "没有审核通过" not in bulletin
        page = client.get(f"/belt/scores/{village_a.code}/?year=2026&month=11").content.decode()
        assert "进行中" in page
    with time_machine.travel("2026-12-07T09:00:00+08:00"):
        client.force_login(staff)
        scores.score_period(year=2026, month=11)
        bulletin = client.get("/belt/bulletin/?year=2026&month=11").content.decode()
        assert "（进行中）" not in bulletin and "没有审核通过" in bulletin


@pytest.mark.frozen_at("2027-01-10T09:00:00+08:00")
def test_in_january_the_pages_open_on_december_of_last_year(client, village_a):
    staff = make_user("january-staff", Role.STAFF)
    client.force_login(staff)
    assert "示范带考核看板 · 2026年12月" in client.get("/belt/dashboard/").content.decode()
    assert "2026年12月坐班考勤" in client.get("/attendance/compliance/").content.decode()


def test_ranks_are_among_all_villages_for_a_secretary_too(
    client, village_a, village_b, secretary_a
):
    for village, total in ((village_a, D("80")), (village_b, D("90"))):
        VillageScore.objects.create(
            village=village,
            year=2026,
            month=10,
            total=total,
            max_total=D(100),
            facts={},
            computed_at=clock.now(),
        )
    client.force_login(secretary_a)
    page = client.get("/belt/dashboard/?year=2026&month=10").content.decode()
    assert "<td>2</td>" in page  # 甲村 is second of the sub-district, not first of one
    assert village_b.name not in page
