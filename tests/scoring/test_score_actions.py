"""What people post on the score pages (reviewer scores, proposals, 约谈), the plan and
agreement pages, the scoring and rebuild commands and the belt's tasks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

from demonstration_belt import tasks
from demonstration_belt.models import (
    Admonishment,
    CreationPlan,
    Indicator,
    Proposal,
    ReviewerScore,
    Target,
    VillageScore,
)
from demonstration_belt.selectors import breakdown_of
from demonstration_belt.services import scores
from tests.factories import make_user
from tests.scoring.test_job import agreement_for
from villages.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(village_a):
    agreement = agreement_for(village_a)
    indicator = Indicator.objects.create(
        agreement=agreement,
        order=4,
        name="阵地建设",
        kind="reviewer",
        standard_score=D(10),
        reviewer_scored=True,
    )
    scores.score_period(year=2026, month=10)
    return indicator


def _score_url(village, month=10):
    return f"/belt/scores/{village.code}/?year=2026&month={month}"


# ---------------------------------------------------------------------------
# Reviewer scores on a village's score page
# ---------------------------------------------------------------------------
def test_a_reviewer_scores_an_indicator_and_the_score_follows_at_once(
    client, village_a, reviewed, instructor_a
):
    client.force_login(instructor_a)
    response = client.post(
        _score_url(village_a), {"indicator": reviewed.pk, "score": "7", "reason": "点位不规范"}
    )
    assert response.status_code == 302
    row = ReviewerScore.objects.get(indicator=reviewed, month=10)
    assert row.score == D(7) and row.scored_by == instructor_a and row.approved_by is None
    line = breakdown_of(VillageScore.objects.get(village=village_a, month=10))[-1]
    assert line["reviewer"] == "7.00" and line["final"] == "10.00"  # rescored, not yet final


def test_an_approved_reviewer_score_counts_at_once(
    client, village_a, reviewed, instructor_a, subdistrict_admin
):
    row = scores.reviewer_score_enter(
        actor=instructor_a, indicator=reviewed, month=10, score=D(7), reason="点位不规范"
    )
    client.force_login(subdistrict_admin)
    page = client.get(_score_url(village_a)).content.decode()
    assert f'name="entry" value="{row.entries.get().pk}"' in page
    approve = {"action": "approve", "indicator": reviewed.pk, "entry": row.entries.get().pk}
    assert client.post(_score_url(village_a), approve).status_code == 302
    line = breakdown_of(VillageScore.objects.get(village=village_a, month=10))[-1]
    assert line["final"] == "7.00"  # rescored in the same action


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"score": "", "reason": "x"}, "请填写评分"),
        ({"score": "abc", "reason": "x"}, "评分"),
        ({"score": "11", "reason": "x"}, "标准分"),
        ({"score": "5", "reason": " "}, "理由"),
    ],
)
def test_a_wrong_reviewer_score_says_which_field_and_why(
    client, village_a, reviewed, instructor_a, data, message
):
    client.force_login(instructor_a)
    page = client.post(_score_url(village_a), {"indicator": reviewed.pk, **data}, follow=True)
    assert message in page.content.decode()
    assert not ReviewerScore.objects.exists()


def test_another_villages_indicator_is_not_offered(
    client, village_a, village_b, reviewed, subdistrict_admin
):
    other = Indicator.objects.create(
        agreement=agreement_for(village_b),
        order=4,
        name="阵地",
        kind="reviewer",
        standard_score=D(10),
    )
    client.force_login(subdistrict_admin)
    page = client.post(
        _score_url(village_a), {"indicator": other.pk, "score": "5", "reason": "x"}, follow=True
    )
    assert "指标" in page.content.decode() and not ReviewerScore.objects.exists()


def test_a_secretary_cannot_score_their_own_village(client, village_a, reviewed, secretary_a):
    client.force_login(secretary_a)
    client.post(_score_url(village_a), {"indicator": reviewed.pk, "score": "10", "reason": "好"})
    assert not ReviewerScore.objects.exists()


def test_the_approval_is_a_second_persons_and_names_the_entry_it_saw(
    client, village_a, reviewed, instructor_a, subdistrict_admin
):
    row = scores.reviewer_score_enter(
        actor=instructor_a, indicator=reviewed, month=10, score=D(6), reason="台账缺失"
    )
    entry = row.entries.get()
    client.force_login(subdistrict_admin)
    # Re-entered after the approver loaded the page: the approval is refused, in words.
    scores.reviewer_score_enter(
        actor=instructor_a, indicator=reviewed, month=10, score=D(2), reason="再查"
    )
    stale = {"action": "approve", "indicator": reviewed.pk, "entry": entry.pk}
    page = client.post(_score_url(village_a), stale, follow=True)
    assert "重新录入" in page.content.decode()
    latest = row.entries.order_by("-pk").first()
    ok = client.post(_score_url(village_a), {**stale, "entry": latest.pk})
    assert ok.status_code == 302
    row.refresh_from_db()
    assert row.approved_by == subdistrict_admin and row.score == D(2)


# ---------------------------------------------------------------------------
# Proposals and 约谈
# ---------------------------------------------------------------------------
@pytest.fixture
def proposal(village_a):
    return Proposal.objects.create(
        village=village_a, year=2026, kind="admonish", score=D(55), grounds="低于约谈线"
    )


def test_staff_confirm_a_proposal_and_record_the_admonishment(client, proposal, subdistrict_admin):
    client.force_login(subdistrict_admin)
    url = "/belt/proposals/?year=2026"
    refused = client.post(url, {"proposal": proposal.pk, "action": "reject"}, follow=True)
    assert "请填写意见" in refused.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    confirm = {"proposal": proposal.pk, "action": "confirm", "reason": "连续两月未坐班"}
    assert client.post(url, confirm).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "confirmed"
    admonish = {
        "proposal": proposal.pk,
        "action": "admonishment",
        "held_on": "2026-11-20",
        "interviewer": "街道党工委书记",
        "interviewees": "甲村书记",
        "issues": "坐班履职不到位",
        "items": "落实坐班\n\n完善台账\n",
        "deadline": "2026-12-20",
    }
    missing = client.post(url, {**admonish, "items": "  \n"}, follow=True)
    assert "整改事项" in missing.content.decode() and not Admonishment.objects.exists()
    bad_date = client.post(url, {**admonish, "deadline": "明天"}, follow=True)
    assert "整改期限" in bad_date.content.decode() and not Admonishment.objects.exists()
    assert client.post(url, admonish).status_code == 302
    admonishment = Admonishment.objects.get()
    assert admonishment.interviewer == "街道党工委书记"
    assert list(admonishment.open_items.values_list("description", flat=True)) == [
        "落实坐班",
        "完善台账",
    ]


def test_only_staff_decide_proposals(client, proposal, instructor_a, secretary_a):
    for user in (instructor_a, secretary_a):
        client.force_login(user)
        page = client.get("/belt/proposals/?year=2026").content.decode()
        assert 'value="confirm"' not in page
        response = client.post(
            "/belt/proposals/", {"proposal": proposal.pk, "action": "confirm", "reason": "x"}
        )
        assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_another_villages_proposal_cannot_be_named(client, village_b, subdistrict_admin):
    other = Proposal.objects.create(village=village_b, year=2025, kind="award", score=D(95))
    client.force_login(subdistrict_admin)
    page = client.post(
        "/belt/proposals/?year=2026",
        {"proposal": other.pk, "action": "confirm", "reason": "x"},
        follow=True,
    )
    assert "建议" in page.content.decode()  # not this year's: not a choice
    other.refresh_from_db()
    assert other.status == "proposed"


# ---------------------------------------------------------------------------
# Plan and agreement pages
# ---------------------------------------------------------------------------
def test_the_plan_page_lists_targets_by_dimension_and_is_scoped(
    client, village_a, secretary_a, secretary_b
):
    plan = CreationPlan.objects.create(village=village_a, year=2026, feature_theme="咏风")
    Target.objects.create(
        plan=plan,
        code="T1",
        title="村务公开栏改造",
        dimension="organization",
        due_on=dt.date(2026, 12, 1),
    )
    client.force_login(secretary_a)
    page = client.get(f"/belt/plans/{village_a.code}/2026/")
    assert page.status_code == 200 and "村务公开栏改造" in page.content.decode()
    assert client.get(f"/belt/plans/{village_a.code}/2025/").status_code == 404
    client.force_login(secretary_b)
    assert client.get(f"/belt/plans/{village_a.code}/2026/").status_code == 404


def test_the_agreement_page_shows_its_indicators_and_is_scoped(
    client, village_a, secretary_a, secretary_b
):
    agreement = agreement_for(village_a)
    client.force_login(secretary_a)
    page = client.get(f"/belt/agreements/{agreement.pk}/").content.decode()
    assert "坐班" in page and "消薄" in page
    client.force_login(secretary_b)
    assert client.get(f"/belt/agreements/{agreement.pk}/").status_code == 404


# ---------------------------------------------------------------------------
# Commands and tasks
# ---------------------------------------------------------------------------
def test_score_villages_scores_a_month_a_year_and_the_stale(village_a, capsys):
    agreement_for(village_a, admonish=60)
    call_command("score_villages", "--period", "2026-10")
    assert "1 villages scored — 1 new" in capsys.readouterr().out
    call_command("score_villages", "--period", "2026-10")
    assert "0 new, 0 changed, 1 unchanged" in capsys.readouterr().out
    call_command("score_villages", "--period", "2026", "--proposals")
    out = capsys.readouterr().out
    assert "proposals:" in out and VillageScore.objects.filter(month=0).exists()
    VillageScore.objects.update(stale=True)
    call_command("score_villages", "--stale")
    assert "rescored" in capsys.readouterr().out
    assert not VillageScore.objects.filter(stale=True).exists()


@pytest.mark.parametrize("period", ["", "2026-13", "26-1", "abc"])
def test_score_villages_refuses_a_wrong_period(period):
    with pytest.raises(CommandError):
        call_command("score_villages", "--period", period)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-11-02", "--until", "2026-11-01"], "before"),
        (["--since", "2026-11-01", "--until", "2026-11-02", "--workers", "0"], "at least 1"),
    ],
)
def test_rebuild_outcomes_refuses_wrong_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("rebuild_outcomes", *args)


def test_the_belts_tasks_score_the_year_and_the_stale(village_a):
    agreement_for(village_a)
    result = tasks.score_closed_month.apply().get()
    assert result["villages"] == 1 and VillageScore.objects.filter(village=village_a).exists()
    VillageScore.objects.update(stale=True)
    assert tasks.rescore_stale.apply().get() >= 1
    assert not VillageScore.objects.filter(stale=True).exists()


@pytest.mark.frozen_at("2027-01-03T09:00+08:00")
def test_in_january_the_closed_year_is_scored_too(village_a):
    agreement_for(village_a, year=2026)
    tasks.score_closed_month.apply().get()
    assert VillageScore.objects.filter(village=village_a, year=2026).exists()


def test_staff_two_people_approve_scores_even_as_superusers(reviewed, subdistrict_admin):
    from django.core.exceptions import PermissionDenied

    row = scores.reviewer_score_enter(
        actor=subdistrict_admin, indicator=reviewed, month=10, score=D(9), reason="好"
    )
    with pytest.raises(PermissionDenied, match="不能审定自己"):
        scores.reviewer_score_approve(actor=subdistrict_admin, reviewer_score=row)
    other = make_user("staff-two", Role.STAFF, display_name="街道另一人")
    scores.reviewer_score_approve(actor=other, reviewer_score=row)
