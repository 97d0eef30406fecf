"""TODO docstring."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef
from django.utils.translation import gettext as _

from attendance import selectors as attendance_selectors
from demonstration_belt.core import scoring
from demonstration_belt.models import (
    Admonishment,
    Agreement,
    Finding,
    Inspection,
    MajorFailure,
    Proposal,
    ReviewerScore,
    ReviewerScoreEntry,
    ScoreHistory,
    VillageScore,
)
from demonstration_belt.selectors import period_bounds
from demonstration_belt.services import score_facts
from jinhu.core import clock
from jinhu.core.history import audit_actor
from villages.selectors import Village


def scores_mark_stale(*, village_id: int, year: int, month: int) -> int:
    """The month's score and the year's are out of date; the next run rescores them."""
    return VillageScore.objects.filter(
        village_id=village_id, year=year, month__in=(month, 0)
    ).update(stale=True)


def scores_mark_year_stale(*, agreement_id: int) -> int:
    """The agreement's indicators changed: every score of its village and year is stale."""
    found = Agreement.objects.filter(pk=agreement_id).values_list("village_id", "year").first()
    if found is None:
        return 0
    village_id, year = found
    return VillageScore.objects.filter(village_id=village_id, year=year).update(stale=True)


@transaction.atomic
@transaction.atomic
def agreement_changed(*, actor: User, agreement: Agreement) -> int:
    """An agreement or its indicators were edited (the admin): the village's scores of
    that year are stale, and the periodic rescore recomputes them."""
    if not actor.has_perm("demonstration_belt.manage_plans", agreement):
        raise PermissionDenied(_("只有街道工作人员可以修改责任书。"))
    return scores_mark_year_stale(agreement_id=agreement.pk)


def score_period(
    *, year: int, month: int, villages: Any = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """Recompute the scores of every village with a creation agreement for one period."""
    return score_periods(year=year, periods=[month], villages=villages, now=now)


@transaction.atomic
def score_year(*, year: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Every month of the year so far and the year itself, reading each source once."""
    _start, _end, months = period_bounds(year, 0)
    return score_periods(year=year, periods=[*months, 0], now=now)


@transaction.atomic
def score_periods(
    *, year: int, periods: list[int], villages: Any = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """One row per village and period, rewritten from source rows; a changed score keeps
    its previous value in ScoreHistory. Running it twice changes nothing.

    Only the totals are computed here (the rules without the words) and the facts are
    stored with them; a row whose facts and indicators are unchanged (same digest) is
    not written at all.
    """
    now = now or clock.now()
    candidates = Village.objects.filter(
        agreements__year=year, agreements__kind=Agreement.Kind.CREATION
    ).distinct()
    if villages is not None:
        candidates = candidates.filter(pk__in=[v.pk for v in villages])
    scope = candidates.values("pk")  # (a subquery for the inputs: no list of ids)
    chosen = list(candidates.order_by("pk"))
    specs = score_facts.indicators_by_village(chosen, year, scope=scope)
    signatures = {v: _signature(s) for v, s in specs.items()}
    facts = score_facts.facts_for_periods(chosen, year, periods, scope=scope)
    existing = {
        (v, m): (pk, total, max_total, vetoed, digest, stale)
        for v, m, pk, total, max_total, vetoed, digest, stale in (
            VillageScore.objects.filter(
                village_id__in=scope, year=year, month__in=periods
            ).values_list(
                "village_id", "month", "pk", "total", "max_total", "vetoed", "digest", "stale"
            )
        )
    }
    created, changed, refreshed = [], [], []
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode
    for month in periods:
        per_village = facts[month]
        for village in chosen:
            f = per_village[village.pk]
            result = scoring.score(specs.get(village.pk, []), f, explain=False)
            document = scoring.facts_to_json(f)
            text = dumps(document)
            digest = hashlib.sha1(
                (signatures.get(village.pk, "") + text).encode(), usedforsecurity=False
            ).hexdigest()
            row = (village.pk, month, result.total, result.max_total, result.vetoed, text, digest)
            old = existing.get((village.pk, month))
            if old is None:
                created.append(row)
            elif (old[1], old[2], old[3], old[4]) == (
                result.total,
                result.max_total,
                result.vetoed,
                digest,
            ):
                if old[5]:
                    refreshed.append(old[0])
            else:
                changed.append((old[0], *row))
    # The previous values of the rows about to change (read only for those).
    history = (
        [
            ScoreHistory(score_id=pk, total=total, vetoed=vetoed, facts=facts_json, computed_at=at)
            for pk, total, vetoed, facts_json, at in VillageScore.objects.filter(
                pk__in=[c[0] for c in changed]
            ).values_list("pk", "total", "vetoed", "facts", "computed_at")
        ]
        if changed
        else []
    )
    _write_scores(year, created, changed, now)
    if refreshed:
        VillageScore.objects.filter(pk__in=refreshed).update(stale=False)
    ScoreHistory.objects.bulk_create(history, batch_size=1000)
    total = len(chosen) * len(periods)
    return {
        "villages": len(chosen),
        "created": len(created),
        "changed": len(history),
        "unchanged": total - len(created) - len(history),
    }


def _signature(specs: Any) -> str:
    """The indicators a village is scored against, as text (part of each row's digest)."""
    return json.dumps(
        [
            [s.id, s.order, s.kind, str(s.standard), s.dimension, s.name, s.params]
            for s in sorted(specs, key=lambda s: s.order)
        ],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )


_COPY = (
    "COPY demonstration_belt_villagescore (village_id, year, month, total, max_total, vetoed, "
    "facts, digest, stale, computed_at) FROM STDIN"
)


_UPDATE = """
UPDATE demonstration_belt_villagescore s
SET total = x.t, max_total = x.mt, vetoed = x.ve, facts = x.f::jsonb, digest = x.d,
    stale = false, computed_at = %(now)s
FROM unnest(%(pk)s::bigint[], %(t)s::numeric[], %(mt)s::numeric[], %(ve)s::boolean[],
            %(f)s::text[], %(d)s::text[]) AS x(pk, t, mt, ve, f, d)
WHERE s.id = x.pk
"""


def _write_scores(year: int, created: list[Any], changed: list[Any], now: dt.datetime) -> None:
    """New rows and changed rows, each in one statement on PostgreSQL (the ORM's bulk
    methods spend more on preparing 13,000 rows than the database spends storing them)."""
    if connection.vendor != "postgresql":
        VillageScore.objects.bulk_create(
            [
                VillageScore(
                    village_id=v,
                    year=year,
                    month=m,
                    total=t,
                    max_total=mt,
                    vetoed=ve,
                    facts=json.loads(f),
                    digest=d,
                    computed_at=now,
                )
                for v, m, t, mt, ve, f, d in created
            ],
            batch_size=500,
        )
        rows = []
        for pk, _v, _m, t, mt, ve, f, d in changed:
            rows.append(
                VillageScore(
                    pk=pk,
                    total=t,
                    max_total=mt,
                    vetoed=ve,
                    facts=json.loads(f),
                    digest=d,
                    stale=False,
                    computed_at=now,
                )
            )
        VillageScore.objects.bulk_update(
            rows,
            ["total", "max_total", "vetoed", "facts", "digest", "stale", "computed_at"],
            batch_size=500,
        )
        return
    with connection.cursor() as cursor:
        if created:
            # COPY: half the time of an INSERT from arrays for a city's 13,000 rows. The
            # JSON holds no raw tab or newline (json.dumps escapes them); its backslashes
            # are doubled for COPY's text format.
            stamp = now.isoformat()
            buffer = io.StringIO()
            for v, m, t, mt, ve, f, d in created:
                f = f.replace("\\", "\\\\")
                flag = "t" if ve else "f"
                buffer.write(f"{v}\t{year}\t{m}\t{t}\t{mt}\t{flag}\t{f}\t{d}\tf\t{stamp}\n")
            buffer.seek(0)
            cursor.cursor.copy_expert(_COPY, buffer)
        if changed:
            pk, _v, _m, t, mt, ve, f, d = (list(c) for c in zip(*changed, strict=True))
            cursor.execute(
                _UPDATE,
                {"now": now, "pk": pk, "t": t, "mt": mt, "ve": ve, "f": f, "d": d},
            )


def scores_find_stale() -> int:
    """Late attendance data: a month whose duty tally changed after its score was computed
    makes that month's score and the year's stale. Two set-based updates.

    (The attendance app knows nothing of scores, so the scores look at it.)
    """
    fresh = VillageScore.objects.filter(stale=False)
    changed = {"village": OuterRef("village_id"), "year": OuterRef("year")}
    changed["after"] = OuterRef("computed_at")
    year_stale = fresh.filter(month=0).filter(attendance_selectors.tally_changed_after(**changed))
    month_stale = fresh.exclude(month=0).filter(
        attendance_selectors.tally_changed_after(**changed, month=OuterRef("month"))
    )
    return year_stale.update(stale=True) + month_stale.update(stale=True)


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
    *, actor: User, indicator: Any, month: int, score: Decimal, reason: str
) -> ReviewerScore:
    if not actor.has_perm("demonstration_belt.review_report", indicator.agreement):
        raise PermissionDenied(_("您无权为该村评分。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写评分理由。")})
    if score < 0 or score > indicator.standard_score:
        raise ValidationError({"score": _("评分应在 0 到标准分之间。")})
    now = clock.now()
    with audit_actor(actor):
        row, _created = ReviewerScore.objects.select_for_update().update_or_create(
            indicator=indicator,
            month=month,
            defaults={
                "score": score,
                "reason": reason.strip(),
                "scored_by": actor,
                "scored_at": now,
                "approved_by": None,
                "approved_at": None,
            },
        )
        ReviewerScoreEntry.objects.create(
            reviewer_score=row,
            action=ReviewerScoreEntry.Action.ENTERED,
            score=row.score,
            reason=row.reason,
            by=actor,
            at=now,
        )
    agreement = indicator.agreement
    score_period(year=agreement.year, month=month, villages=[agreement.village])
    return row


@transaction.atomic
def reviewer_score_approve(
    *, actor: User, reviewer_score: ReviewerScore, seen_entry: int | None = None
) -> ReviewerScore:
    """Final scores need a second approver: not the person who scored. ``seen_entry``
    (the latest entry the approver was shown) refuses approving a score re-entered since."""
    if not actor.has_perm("demonstration_belt.approve_reviewer_score"):
        raise PermissionDenied(_("评分须由街道工作人员审定。"))
    reviewer_score = ReviewerScore.objects.select_for_update().get(pk=reviewer_score.pk)
    latest = reviewer_score.entries.order_by("-at", "-pk").values_list("pk", flat=True).first()
    if seen_entry is not None and latest is not None and latest != seen_entry:
        raise ValidationError(_("该评分刚被重新录入，请核对新的分数和理由后再审定。"))
    if reviewer_score.approved_by_id is not None:
        raise ValidationError(_("该评分已审定。"))
    if reviewer_score.scored_by_id == actor.pk:
        raise PermissionDenied(_("评分人不能审定自己的评分。"))
    reviewer_score.approved_by, reviewer_score.approved_at = actor, clock.now()
    with audit_actor(actor):
        reviewer_score.save(update_fields=["approved_by", "approved_at"])
        ReviewerScoreEntry.objects.create(
            reviewer_score=reviewer_score,
            action=ReviewerScoreEntry.Action.APPROVED,
            score=reviewer_score.score,
            reason=reviewer_score.reason,
            by=actor,
            at=reviewer_score.approved_at,
        )
    agreement = reviewer_score.indicator.agreement
    # Rescored now for the page the reviewer is on; the other periods of the year that
    # read this score follow with the periodic rescore.
    scores_mark_stale(
        village_id=agreement.village_id, year=agreement.year, month=reviewer_score.month or 12
    )
    score_period(year=agreement.year, month=reviewer_score.month, villages=[agreement.village])
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
def proposal_decide(*, actor: User, proposal: Proposal, confirm: bool, reason: str) -> Proposal:
    if not actor.has_perm("demonstration_belt.decide_proposal"):
        raise PermissionDenied(_("只有街道工作人员可以确认奖惩。"))
    if proposal.status != Proposal.Status.PROPOSED:
        raise ValidationError(_("该建议已处理。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写意见。")})
    proposal.status = Proposal.Status.CONFIRMED if confirm else Proposal.Status.REJECTED
    proposal.decided_by, proposal.decided_at = actor, clock.now()
    proposal.decision_reason = reason.strip()
    with audit_actor(actor):
        proposal.save()
    return proposal


@transaction.atomic
def admonishment_record(
    *,
    actor: User,
    proposal: Proposal,
    held_on: dt.date,
    interviewer: str,
    interviewees: str,
    issues: str,
    items: list[tuple[str, str, dt.date]],
) -> Admonishment:
    """The 约谈 itself: who, when, which issues; each item becomes a tracked rectification."""
    if not actor.has_perm("demonstration_belt.decide_proposal"):
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
            recorded_by=actor,
            recorded_at=clock.now(),
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
