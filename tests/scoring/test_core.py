"""The scoring core against hand-worked examples (no database)."""

from decimal import Decimal as D

from demonstration_belt.core.scoring import Facts, IndicatorSpec, ReviewerFact, TargetFact, score


def spec(id, kind, standard, order=None, **kw):
    return IndicatorSpec(
        id=id,
        order=order or id,
        name=kind,
        kind=kind,
        standard=D(standard),
        dimension=kw.pop("dimension", "work"),
        **kw,
    )


def line(result, id):
    return next(x for x in result.lines if x.indicator_id == id)


def test_weighted_targets():
    # weights 2 and 1: done (1.0) and a number target at 6/12 (0.5) → (2×1 + 1×0.5)/3 = 83.33%
    facts = Facts(
        report_ids=(9,),
        targets=(
            TargetFact(1, D(2), "done", "done"),
            TargetFact(2, D(1), "number", "in_progress", D(6), D(12)),
        ),
    )
    result = score([spec(1, "targets", 30)], facts)
    assert line(result, 1).final == D("25.00")  # 30 × 2.5/3
    assert line(result, 1).sources == {"reports": [9], "targets": [1, 2]}


def test_no_approved_report_scores_nothing_for_targets():
    assert score([spec(1, "targets", 30)], Facts()).total == D("0.00")


def test_duty_deduction_and_pending_slots_never_count():
    indicator = spec(2, "duty", 20, params={"threshold": 95, "per_point": 1})
    # 38 compliant of 44 judged = 86.36% → 8.64 points under → 20 − 8.64 = 11.36
    assert score([indicator], Facts(duty_judged=44, duty_compliant=38)).total == D("11.36")
    # Nothing judged yet (all pending or unknown): nothing against the village.
    assert score([indicator], Facts(duty_judged=0)).total == D("20.00")


def test_service_and_meetings_and_findings():
    specs = [
        spec(3, "service", 10, params={"visitors_per_month": 40}),
        spec(5, "meetings", 10, params={"per_month": 1, "per_missing": 1}),
        spec(6, "findings", 10, params={"per_finding": 2, "per_suggestion": 1}),
        spec(7, "patrol", 5, params={"per_finding": 1}),
    ]
    facts = Facts(
        months=3,
        visitors=90,
        party_days=1,
        overdue_findings=(1, 2),
        overdue_suggestions=(7,),
        patrol_findings=(4,),
    )
    result = score(specs, facts)
    assert line(result, 3).final == D("7.50")  # 90 of 120 expected
    assert line(result, 5).final == D("8.00")  # 2 missing of 3
    assert line(result, 6).final == D("5.00")  # 2×2 + 1×1
    assert line(result, 7).final == D("4.00")
    assert result.total == D("24.50") and result.max_total == D("35.00")


def test_deductions_never_go_below_zero():
    result = score(
        [spec(6, "findings", 4, params={"per_finding": 2})], Facts(overdue_findings=(1, 2, 3))
    )
    assert result.total == D("0.00")


def test_economy_bonus_and_veto():
    specs = [spec(4, "economy", 15), spec(9, "bonus", 5), spec(10, "veto", 0)]
    ok = score(specs, Facts(economy_weak=False, bonus_points=D("7.5"), bonus_ids=(1, 2, 3)))
    assert line(ok, 4).final == D("15.00") and line(ok, 9).final == D("5.00")  # capped
    assert ok.total == D("20.00") and ok.max_total == D("15.00") and not ok.vetoed
    weak = score(specs, Facts(economy_weak=True, vetoes=("发生安全责任事故",)))
    assert line(weak, 4).final == D("0.00")
    assert weak.vetoed and weak.veto_reasons == ("发生安全责任事故",)
    assert score(specs, Facts(economy_weak=None)).lines[0].reason == "未填报集体经济数据"


def test_reviewer_score_counts_only_once_approved_and_explains_the_difference():
    indicator = spec(8, "reviewer", 10, reviewer_scored=True)
    pending = score([indicator], Facts(reviewer={8: ReviewerFact(D("6"), "点位不够规范", False)}))
    assert line(pending, 8).final == D("10") and "待审定" in line(pending, 8).reason
    approved = score([indicator], Facts(reviewer={8: ReviewerFact(D("6"), "点位不够规范", True)}))
    item = line(approved, 8)
    assert item.suggested == D("10") and item.reviewer == D("6") and item.final == D("6.00")
    assert "点位不够规范" in item.reason


def test_dimensions_for_the_radar():
    specs = [
        spec(1, "economy", 10, dimension="support"),
        spec(2, "economy", 10, dimension="service"),
    ]
    result = score(specs, Facts(economy_weak=False))
    assert result.by_dimension()["support"] == (D("10"), D("10"))


def test_facts_survive_their_json_form():
    from decimal import Decimal

    from demonstration_belt.core.scoring import (
        ReviewerFact,
        TargetFact,
        facts_from_json,
        facts_to_json,
    )

    full = Facts(
        months=3,
        report_ids=(7,),
        targets=(
            TargetFact(1, Decimal("2.5"), "number", "in_progress", Decimal("3"), Decimal("10")),
            TargetFact(2, Decimal("1"), "done", "done"),
        ),
        duty_judged=40,
        duty_compliant=37,
        visitors=120,
        matters=9,
        disputes=1,
        economy_weak=False,
        party_days=2,
        overdue_findings=(4, 5),
        overdue_suggestions=(6,),
        patrol_findings=(8,),
        bonus_points=Decimal("1.50"),
        bonus_ids=(9,),
        vetoes=("重大安全事故",),
        reviewer={11: ReviewerFact(Decimal("8"), "现场核查", True)},
    )
    for facts in (full, Facts()):
        assert facts_from_json(facts_to_json(facts)) == facts
    assert facts_to_json(Facts()) == {}
