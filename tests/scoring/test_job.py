"""The scoring job against the database: idempotence, stale data, query counts, proposals."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from attendance.models import DutyRules, PinMapping, RotationEntry, SlotOutcome
from attendance.services import liveness
from attendance.services.devices import device_register
from attendance.services.rosters import slots_materialize
from demonstration_belt.models import (
    Agreement,
    Indicator,
    MajorFailure,
    Proposal,
    ScoreHistory,
    VillageScore,
)
from demonstration_belt.selectors import breakdown_of
from demonstration_belt.services import scores
from tests.factories import CadreFactory, VillageFactory


def agreement_for(village, year=2026, award=90, admonish=60):
    agreement = Agreement.objects.create(
        village=village, year=year, party_a="书记", award_line=D(award), admonish_line=D(admonish)
    )
    Indicator.objects.create(
        agreement=agreement,
        order=1,
        name="坐班",
        kind="duty",
        standard_score=D(50),
        params={"threshold": 95, "per_point": 1},
        dimension="responsibility",
    )
    Indicator.objects.create(
        agreement=agreement,
        order=2,
        name="消薄",
        kind="economy",
        standard_score=D(50),
        dimension="support",
    )
    Indicator.objects.create(
        agreement=agreement, order=3, name="否决", kind="veto", standard_score=D(0)
    )
    return agreement


def test_job_is_idempotent(village_a):
    agreement_for(village_a)
    first = scores.score_period(year=2026, month=10)
    rows = list(VillageScore.objects.values())
    second = scores.score_period(year=2026, month=10)
    assert first["created"] == 1 and second == {
        "villages": 1,
        "created": 0,
        "changed": 0,
        "unchanged": 1,
    }
    assert list(VillageScore.objects.values()) == rows


def test_query_count_does_not_grow_with_villages(db, django_assert_max_num_queries):
    for _ in range(3):
        agreement_for(VillageFactory())
    with django_assert_max_num_queries(25) as small:
        scores.score_period(year=2026, month=10)
    for _ in range(20):
        agreement_for(VillageFactory())
    VillageScore.objects.all().delete()
    with django_assert_max_num_queries(len(small.captured_queries)):
        scores.score_period(year=2026, month=10)


def test_late_attendance_marks_the_period_stale_and_it_is_rescored(
    client, village_a, subdistrict_admin, django_capture_on_commit_callbacks
):
    agreement_for(village_a)
    DutyRules.objects.create(village=village_a)
    cadre = CadreFactory(village=village_a)
    day = dt.date(2026, 10, 20)  # a Tuesday
    RotationEntry.objects.create(
        village=village_a,
        cadre=cadre,
        weekday=day.weekday(),
        part="full",
        valid_from=dt.date(2026, 9, 1),
    )
    slots_materialize(village=village_a, start=day, end=day, include_started=True)
    clock, _ = device_register(
        actor=subdistrict_admin,
        kind="zk_clock",
        village=village_a,
        serial_number="STALE0001",
        installed_on=dt.date(2025, 1, 1),
    )
    PinMapping.objects.create(device=clock, pin="1", cadre=cadre)
    liveness.seen(clock.pk)
    from attendance.services.outcomes import outcomes_judge

    outcomes_judge(village_a, [day])
    assert SlotOutcome.objects.get().state == "absent"
    scores.score_period(year=2026, month=10)
    before = VillageScore.objects.get(month=10)
    assert breakdown_of(before)[0]["final"] == "0.00"  # 0 % compliance

    # The clock uploads the day late; the slot is re-judged…
    with django_capture_on_commit_callbacks(execute=True):
        client.generic(
            "POST",
            "/iclock/cdata?SN=STALE0001&table=ATTLOG",
            b"1\t2026-10-20 08:25:00\t0\t1\n1\t2026-10-20 17:05:00\t1\t1\n",
            content_type="text/plain",
        )
    assert SlotOutcome.objects.get().state == "on_time"
    # …so the score is stale, and the rescoring keeps the old value in the history.
    assert scores.scores_find_stale() == 1
    assert scores.rescore_stale() == 1
    after = VillageScore.objects.get(month=10)
    assert not after.stale and breakdown_of(after)[0]["final"] == "50.00"
    assert ScoreHistory.objects.get(score=after).total == before.total


@pytest.mark.parametrize(
    "total_points,expected",
    [
        (D("90.00"), "award"),
        (D("89.99"), None),
        (D("60.00"), None),
        (D("59.99"), "admonish"),
    ],
)
def test_proposals_at_and_around_the_lines(village_a, total_points, expected):
    agreement_for(village_a)
    VillageScore.objects.create(
        village=village_a,
        year=2026,
        month=0,
        total=total_points,
        max_total=D(100),
        computed_at=timezone.now(),
    )
    scores.proposals_make(year=2026)
    kinds = list(Proposal.objects.values_list("kind", flat=True))
    assert kinds == ([expected] if expected else [])


def test_veto_or_major_failure_means_admonishment_whatever_the_score(village_a, subdistrict_admin):
    agreement_for(village_a)
    VillageScore.objects.create(
        village=village_a,
        year=2026,
        month=0,
        total=D(99),
        max_total=D(100),
        computed_at=timezone.now(),
    )
    MajorFailure.objects.create(
        village=village_a,
        year=2026,
        occurred_on=dt.date(2026, 6, 1),
        description="换届选举违规",
        recorded_by=subdistrict_admin,
    )
    scores.proposals_make(year=2026)
    proposal = Proposal.objects.get()
    assert proposal.kind == "admonish" and "重大失误" in proposal.grounds


def test_rectification_loop_after_an_admonishment(
    village_a, subdistrict_admin, secretary_a, instructor_a
):
    from demonstration_belt.services.records import finding_advance

    proposal = Proposal.objects.create(
        village=village_a, year=2026, kind="admonish", score=D(55), grounds="低于约谈线"
    )
    with pytest.raises(ValidationError, match="确认"):  # an unconfirmed proposal
        scores.admonishment_record(
            actor=subdistrict_admin,
            proposal=proposal,
            held_on=dt.date(2026, 12, 10),
            interviewer="党工委书记",
            interviewees="甲村书记",
            issues="坐班不严",
            items=[("严格坐班", "甲村书记", dt.date(2027, 1, 31))],
        )
    scores.proposal_decide(
        actor=subdistrict_admin, proposal=proposal, confirm=True, reason="同意约谈"
    )
    admonishment = scores.admonishment_record(
        actor=subdistrict_admin,
        proposal=proposal,
        held_on=dt.date(2026, 12, 10),
        interviewer="党工委书记",
        interviewees="甲村书记",
        issues="坐班不严、台账不全",
        items=[
            ("严格坐班", "甲村书记", dt.date(2027, 1, 31)),
            ("补齐台账", "甲村书记", dt.date(2027, 1, 15)),
        ],
    )
    assert admonishment.open_items.count() == 2
    for finding in admonishment.open_items:
        finding_advance(actor=secretary_a, finding=finding, to="recheck", rectification="已整改")
        finding_advance(actor=instructor_a, finding=finding, to="closed")
    assert admonishment.open_items.count() == 0


def test_second_approver_for_reviewer_scores(village_a, instructor_a, subdistrict_admin):
    agreement = agreement_for(village_a)
    indicator = Indicator.objects.create(
        agreement=agreement,
        order=4,
        name="实地评议",
        kind="reviewer",
        standard_score=D(10),
        reviewer_scored=True,
    )
    row = scores.reviewer_score_enter(
        actor=instructor_a, indicator=indicator, month=10, score=D(7), reason="点位不规范"
    )
    with pytest.raises(PermissionDenied, match="街道工作人员审定"):
        scores.reviewer_score_approve(actor=instructor_a, reviewer_score=row)
    scores.score_period(year=2026, month=10)
    line = breakdown_of(VillageScore.objects.get(month=10))[-1]
    assert line["final"] == "10.00" and line["reviewer"] == "7.00"
    scores.reviewer_score_approve(actor=subdistrict_admin, reviewer_score=row)
    scores.score_period(year=2026, month=10)
    assert breakdown_of(VillageScore.objects.get(month=10))[-1]["final"] == "7.00"


def test_stored_facts_render_the_breakdown_and_survive_awkward_text(village_a, subdistrict_admin):
    """Scores keep their facts (written with COPY on PostgreSQL): quotes, backslashes and
    tabs in a description come back intact, and the breakdown is rendered from them."""
    agreement_for(village_a)
    awkward = '违规 "代签" C:\\records\\n\t第二条'
    MajorFailure.objects.create(
        village=village_a,
        year=2026,
        occurred_on=dt.date(2026, 6, 1),
        description=awkward,
        recorded_by=subdistrict_admin,
    )
    scores.score_period(year=2026, month=0)
    score = VillageScore.objects.get(village=village_a, month=0)
    assert score.facts["vetoes"] == [awkward]
    assert score.vetoed and score.digest
    lines = {line["kind"]: line for line in breakdown_of(score)}
    assert lines["veto"]["reason"] == awkward
    assert lines["duty"]["final"] == "50.00"  # nothing judged: nothing lost
    assert sum(D(line["final"]) for line in breakdown_of(score)) == score.total


def test_changing_an_indicator_makes_the_year_stale_and_the_rescore_follows(
    village_a, subdistrict_admin
):
    # (The admin calls agreement_changed after saving an agreement and its indicators:
    # tests/attendance/test_admin_writes.py.)
    agreement = agreement_for(village_a)
    scores.score_period(year=2026, month=10)
    score = VillageScore.objects.get(village=village_a, month=10)
    assert not score.stale and score.max_total == D(100)
    economy = Indicator.objects.get(agreement=agreement, kind="economy")
    economy.standard_score = D(30)
    economy.save()
    score.refresh_from_db()
    assert not score.stale  # (no signal: the service says what an edit means)
    scores.agreement_changed(actor=subdistrict_admin, agreement=agreement)
    score.refresh_from_db()
    assert score.stale
    scores.rescore_stale()
    score = VillageScore.objects.get(village=village_a, month=10)
    assert not score.stale and score.max_total == D(80)
    assert {line["name"]: line["standard"] for line in breakdown_of(score)}["消薄"] == "30.00"
