"""Scoring every village for a period, idempotently; stale marking; awards and 约谈."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from demonstration_belt import scoring, scoring_inputs
from demonstration_belt.models import (
    Admonishment,
    Agreement,
    Finding,
    Inspection,
    MajorFailure,
    Proposal,
    ReviewerScore,
    ScoreHistory,
    VillageScore,
)
from villages.models import Village
from villages.roles import sees_all_villages
from villages.services import audit_actor


def scores_mark_stale(*, village_id: int, year: int, month: int) -> int:
    """The month's score and the year's are out of date; the next run rescores them."""
    return VillageScore.objects.filter(
        village_id=village_id, year=year, month__in=(month, 0)
    ).update(stale=True)


@transaction.atomic
def score_period(
    *, year: int, month: int, villages=None, now: dt.datetime | None = None
) -> dict[str, int]:
    """Recompute the scores of every village with a creation agreement for one period."""
    return score_periods(year=year, periods=[month], villages=villages, now=now)


@transaction.atomic
def score_year(*, year: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Every month of the year so far and the year itself, reading each source once."""
    _start, _end, months = scoring_inputs.period_bounds(year, 0)
    return score_periods(year=year, periods=[*months, 0], now=now)


@transaction.atomic
def score_periods(
    *, year: int, periods: list[int], villages=None, now: dt.datetime | None = None
) -> dict[str, int]:
    """One row per village and period, rewritten from source rows; a changed score keeps
    its previous value in ScoreHistory. Running it twice changes nothing."""
    now = now or timezone.now()
    candidates = Village.objects.filter(
        agreements__year=year, agreements__kind=Agreement.Kind.CREATION
    ).distinct()
    if villages is not None:
        candidates = candidates.filter(pk__in=[v.pk for v in villages])
    candidates = list(candidates)
    specs = scoring_inputs.indicators_by_village(candidates, year)
    facts = scoring_inputs.facts_for_periods(candidates, year, periods)
    existing = {
        (s.village_id, s.month): s
        for s in VillageScore.objects.filter(village__in=candidates, year=year, month__in=periods)
    }
    created, changed, history = [], [], []
    for month in periods:
        for village in candidates:
            result = scoring.score(specs.get(village.pk, []), facts[month][village.pk])
            breakdown = [line.as_dict() for line in result.lines]
            row = existing.get((village.pk, month))
            if row is None:
                created.append(
                    VillageScore(
                        village=village,
                        year=year,
                        month=month,
                        total=result.total,
                        max_total=result.max_total,
                        vetoed=result.vetoed,
                        breakdown=breakdown,
                        computed_at=now,
                    )
                )
                continue
            if (
                row.total == result.total
                and row.vetoed == result.vetoed
                and row.breakdown == breakdown
                and row.max_total == result.max_total
            ):
                if row.stale:
                    row.stale = False
                    changed.append(row)
                continue
            history.append(
                ScoreHistory(
                    score=row,
                    total=row.total,
                    vetoed=row.vetoed,
                    breakdown=row.breakdown,
                    computed_at=row.computed_at,
                )
            )
            row.total, row.max_total, row.vetoed = result.total, result.max_total, result.vetoed
            row.breakdown, row.stale, row.computed_at = breakdown, False, now
            changed.append(row)
    VillageScore.objects.bulk_create(created, batch_size=1000)
    VillageScore.objects.bulk_update(
        changed,
        ["total", "max_total", "vetoed", "breakdown", "stale", "computed_at"],
        batch_size=1000,
    )
    ScoreHistory.objects.bulk_create(history, batch_size=1000)
    total = len(candidates) * len(periods)
    return {
        "villages": len(candidates),
        "created": len(created),
        "changed": len(history),
        "unchanged": total - len(created) - len(history),
    }


def scores_find_stale() -> int:
    """Late attendance data: a month whose duty tally changed after its score was computed
    makes that month's score and the year's stale. Two set-based updates.

    (The attendance app knows nothing of scores, so the scores look at it.)
    """
    from attendance.models import DutyTally

    changed = DutyTally.objects.filter(
        village_id=OuterRef("village_id"),
        year=OuterRef("year"),
        changed_at__gt=OuterRef("computed_at"),
    )
    fresh = VillageScore.objects.filter(stale=False)
    return fresh.filter(month=0).filter(Exists(changed)).update(stale=True) + fresh.exclude(
        month=0
    ).filter(Exists(changed.filter(month=OuterRef("month")))).update(stale=True)


def rescore_stale() -> int:
    """Rescore every (year, month) that has a stale row."""
    scores_find_stale()
    periods = set(VillageScore.objects.filter(stale=True).values_list("year", "month"))
    for year, month in periods:
        score_period(year=year, month=month)
    return len(periods)


# ---------------------------------------------------------------------------
# Reviewer scores
# ---------------------------------------------------------------------------
@transaction.atomic
def reviewer_score_enter(
    *, actor, indicator, month: int, score: Decimal, reason: str
) -> ReviewerScore:
    if not actor.has_perm("demonstration_belt.review_report", indicator.agreement):
        raise PermissionDenied(_("您无权为该村评分。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写评分理由。")})
    if score < 0 or score > indicator.standard_score:
        raise ValidationError({"score": _("评分应在 0 到标准分之间。")})
    row, _created = ReviewerScore.objects.update_or_create(
        indicator=indicator,
        month=month,
        defaults={
            "score": score,
            "reason": reason.strip(),
            "scored_by": actor,
            "approved_by": None,
            "approved_at": None,
        },
    )
    return row


@transaction.atomic
def reviewer_score_approve(*, actor, reviewer_score: ReviewerScore) -> ReviewerScore:
    """Final scores need a second approver: not the person who scored."""
    if not sees_all_villages(actor):
        raise PermissionDenied(_("评分须由街道工作人员审定。"))
    if reviewer_score.scored_by_id == actor.pk:
        raise PermissionDenied(_("评分人不能审定自己的评分。"))
    reviewer_score.approved_by, reviewer_score.approved_at = actor, timezone.now()
    with audit_actor(actor):
        reviewer_score.save(update_fields=["approved_by", "approved_at"])
    agreement = reviewer_score.indicator.agreement
    scores_mark_stale(
        village_id=agreement.village_id, year=agreement.year, month=reviewer_score.month or 12
    )
    return reviewer_score


# ---------------------------------------------------------------------------
# Awards and admonishment
# ---------------------------------------------------------------------------
@transaction.atomic
def proposals_make(*, year: int) -> dict[str, int]:
    """Year end: propose the title (at or above the award line) or a 约谈.

    A village below the admonishment line, with a veto item, or with a major
    failure recorded is proposed for admonishment; decided proposals are kept.
    """
    counts = {"award": 0, "admonish": 0}
    scores = {s.village_id: s for s in VillageScore.objects.filter(year=year, month=0)}
    failures = set(MajorFailure.objects.filter(year=year).values_list("village_id", flat=True))
    for agreement in Agreement.objects.filter(year=year, kind=Agreement.Kind.CREATION):
        score = scores.get(agreement.village_id)
        if score is None:
            continue
        reasons = []
        if score.vetoed:
            reasons.append(_("存在一票否决事项"))
        if agreement.village_id in failures:
            reasons.append(_("发生重大失误或造成不良影响"))
        if score.total < agreement.admonish_line:
            reasons.append(
                _("年度得分 %(s)s 低于约谈线 %(l)s")
                % {"s": score.total, "l": agreement.admonish_line}
            )
        kind, grounds, reward = None, "", None
        if reasons:
            kind, grounds = Proposal.Kind.ADMONISH, "；".join(reasons)
        elif score.total >= agreement.award_line:
            kind = Proposal.Kind.AWARD
            grounds = _("年度得分 %(s)s 达到授牌线 %(l)s") % {
                "s": score.total,
                "l": agreement.award_line,
            }
            reward = agreement.reward
        stale = Proposal.objects.filter(
            village_id=agreement.village_id, year=year, status=Proposal.Status.PROPOSED
        )
        if kind is None:
            stale.delete()
            continue
        stale.exclude(kind=kind).delete()
        decided = Proposal.objects.filter(
            village_id=agreement.village_id, year=year, kind=kind
        ).exclude(status=Proposal.Status.PROPOSED)
        if not decided.exists():  # staff decisions stand; only open proposals follow the data
            Proposal.objects.update_or_create(
                village_id=agreement.village_id,
                year=year,
                kind=kind,
                defaults={"score": score.total, "grounds": grounds, "reward": reward},
            )
        counts[kind] += 1
    return counts


@transaction.atomic
def proposal_decide(*, actor, proposal: Proposal, confirm: bool, reason: str) -> Proposal:
    if not sees_all_villages(actor):
        raise PermissionDenied(_("只有街道工作人员可以确认奖惩。"))
    if proposal.status != Proposal.Status.PROPOSED:
        raise ValidationError(_("该建议已处理。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写意见。")})
    proposal.status = Proposal.Status.CONFIRMED if confirm else Proposal.Status.REJECTED
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal.decision_reason = reason.strip()
    with audit_actor(actor):
        proposal.save()
    return proposal


@transaction.atomic
def admonishment_record(
    *,
    actor,
    proposal: Proposal,
    held_on: dt.date,
    interviewer: str,
    interviewees: str,
    issues: str,
    items: list[tuple[str, str, dt.date]],
) -> Admonishment:
    """The 约谈 itself: who, when, which issues; each item becomes a tracked rectification."""
    if not sees_all_villages(actor):
        raise PermissionDenied(_("只有街道工作人员可以登记约谈。"))
    if proposal.kind != Proposal.Kind.ADMONISH or proposal.status != Proposal.Status.CONFIRMED:
        raise ValidationError(_("只有已确认的约谈建议才能登记约谈。"))
    if not items:
        raise ValidationError(_("请至少列出一项整改事项。"))
    inspection = Inspection.objects.create(
        kind=Inspection.Kind.ADMONISHMENT,
        title=f"{proposal.village.name}约谈整改",
        held_on=held_on,
        inspectors=interviewer,
    )
    with audit_actor(actor):
        admonishment = Admonishment.objects.create(
            village=proposal.village,
            proposal=proposal,
            held_on=held_on,
            interviewer=interviewer,
            interviewees=interviewees,
            issues=issues,
            inspection=inspection,
        )
        for description, owner, deadline in items:
            Finding.objects.create(
                inspection=inspection,
                village=proposal.village,
                description=description,
                owner=owner,
                deadline=deadline,
            )
    return admonishment
