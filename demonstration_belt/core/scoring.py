"""The scoring core: a village's agreement indicators against its facts. Pure functions.

Every line of the result carries the score the data suggests, the reviewer's
score where the agreement says a reviewer scores it (used once a second
person approved it; a difference needs a reason), the final score, the reason
in words, and the references of the records behind it, so that every point
can be traced. Veto items fail the year whatever the total.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0")


def q(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


# (Plain slotted dataclasses, not frozen ones: a frozen dataclass sets each field through
# object.__setattr__, and a city's scoring builds 13,000 Facts and 8,000 specs.)
@dataclass(slots=True)
class IndicatorSpec:
    id: int
    order: int
    name: str
    kind: str
    standard: Decimal
    dimension: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    reviewer_scored: bool = False
    #: the numeric parameters as Decimal, converted once (not at each of 13 periods)
    numbers: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        p = self.params
        self.numbers = {
            name: _dec(p, key, default) for name, key, default in _NUMBERS.get(self.kind, ())
        }


@dataclass(frozen=True)
class TargetFact:
    id: int
    weight: Decimal
    measure: str  # done / number / milestone
    progress: str  # not_started / in_progress / done
    value: Decimal | None = None
    goal: Decimal | None = None

    @property
    def fraction(self) -> Decimal:
        if self.progress == "done":
            return Decimal(1)
        if self.measure == "number" and self.goal and self.value is not None:
            return min(Decimal(1), max(ZERO, self.value / self.goal))
        return Decimal("0.5") if self.progress == "in_progress" else ZERO


@dataclass(frozen=True)
class ReviewerFact:
    score: Decimal
    reason: str
    approved: bool


@dataclass(slots=True)
class Facts:
    months: int = 1
    #: the period's progress report is due by now (False: 进行中, not penalised for it)
    report_due: bool = True
    #: the day the period's report falls due (shown while it is not yet due)
    report_deadline: str = ""
    report_ids: tuple[int, ...] = ()
    targets: tuple[TargetFact, ...] = ()
    duty_judged: int = 0
    duty_compliant: int = 0
    visitors: int = 0
    matters: int = 0
    disputes: int = 0
    economy_weak: bool | None = None
    party_days: int = 0
    overdue_findings: tuple[int, ...] = ()
    overdue_suggestions: tuple[int, ...] = ()
    patrol_findings: tuple[int, ...] = ()
    bonus_points: Decimal = ZERO
    bonus_ids: tuple[int, ...] = ()
    vetoes: tuple[str, ...] = ()
    reviewer: dict[int, ReviewerFact] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    indicator_id: int
    order: int
    name: str
    kind: str
    dimension: str
    standard: Decimal
    suggested: Decimal
    reviewer: Decimal | None
    final: Decimal
    reason: str
    sources: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator_id,
            "order": self.order,
            "name": self.name,
            "kind": self.kind,
            "dimension": self.dimension,
            "standard": str(self.standard),
            "suggested": str(self.suggested),
            "reviewer": None if self.reviewer is None else str(self.reviewer),
            "final": str(self.final),
            "reason": self.reason,
            "sources": self.sources,
        }


@dataclass(frozen=True)
class Result:
    lines: tuple[Line, ...]
    total: Decimal
    max_total: Decimal
    vetoed: bool
    veto_reasons: tuple[str, ...]

    def by_dimension(self) -> dict[str, tuple[Decimal, Decimal]]:
        """(points, standard) per six-solids dimension, for the radar chart."""
        out: dict[str, list[Decimal]] = {}
        for line in self.lines:
            if line.dimension and line.kind not in ("bonus", "veto"):
                got, std = out.setdefault(line.dimension, [ZERO, ZERO])
                out[line.dimension] = [got + line.final, std + line.standard]
        return {k: (v[0], v[1]) for k, v in out.items()}


def _deduct(standard: Decimal, deduction: Decimal) -> Decimal:
    return q(max(ZERO, standard - deduction))


def _dec(params: dict[str, Any], key: str, default: object) -> Decimal:
    return Decimal(str(params.get(key, default)))


#: per indicator kind, its numeric parameters: (name in ``numbers``, key in params, default)
_NUMBERS = {
    "duty": (("threshold", "threshold", 95), ("per_point", "per_point", 1)),
    "service": (("visitors_per_month", "visitors_per_month", 40),),
    "meetings": (("per_missing", "per_missing", 1),),
    "findings": (("per_finding", "per_finding", 2), ("per_suggestion", "per_suggestion", 1)),
    "patrol": (("per_patrol_finding", "per_finding", 1),),
}


def _no_targets(f: Facts) -> tuple[str, dict[str, Any]]:
    return "本期没有审核通过的月度进度", {"reports": list(f.report_ids)}


def _not_yet_due(f: Facts) -> tuple[str, dict[str, Any]]:
    return (
        f"本期月度进度尚未到报送期限（{f.report_deadline} 前报送），暂不扣分",
        {"reports": list(f.report_ids)},
    )


def suggest(
    spec: IndicatorSpec, f: Facts
) -> tuple[Decimal, Callable[[], tuple[str, dict[str, Any]]]]:
    """The score the data suggests for one indicator, and how to say why.

    The second value is a function returning the reason in words and the records
    behind it: the scoring job needs only the numbers (13,000 village-periods of a
    city), the pages that show a breakdown call it.
    """
    p, std, n = spec.params, spec.standard, spec.numbers
    if spec.kind == "targets":
        if not f.targets:
            if not f.report_due:
                return std, lambda: _not_yet_due(f)
            return ZERO, lambda: _no_targets(f)
        total_weight = sum((t.weight for t in f.targets), ZERO)
        done = sum((t.weight * t.fraction for t in f.targets), ZERO)
        share = done / total_weight if total_weight else ZERO
        return q(std * share), lambda: (
            f"目标加权完成 {q(share * 100)}%",
            {"reports": list(f.report_ids), "targets": [t.id for t in f.targets]},
        )
    if spec.kind == "duty":
        if not f.duty_judged:
            return std, lambda: ("本期无已判定的坐班时段（待判定、设备未同步不扣分）", {})
        rate = Decimal(f.duty_compliant * 100) / Decimal(f.duty_judged)
        threshold = n["threshold"]
        deduction = max(ZERO, threshold - rate) * n["per_point"]
        return _deduct(std, deduction), lambda: (
            f"合规率 {q(rate)}%（{f.duty_compliant}/{f.duty_judged}），标准 {threshold}%",
            {"outcomes": "duty"},
        )
    if spec.kind == "service":
        expected = n["visitors_per_month"] * f.months
        share = min(Decimal(1), Decimal(f.visitors) / expected) if expected else Decimal(1)
        return q(std * share), lambda: (
            f"接待 {f.visitors} 人次（要求 {expected}），办理事项 {f.matters} 件，"
            f"调处纠纷 {f.disputes} 件",
            {"dutylog": "entries"},
        )
    if spec.kind == "economy":
        if f.economy_weak is None:
            return ZERO, lambda: ("未填报集体经济数据", {})
        if f.economy_weak:
            return ZERO, lambda: ("总收入或经营性收入未超过消薄标准", {"economy": "status"})
        return std, lambda: ("已消薄", {"economy": "status"})
    if spec.kind == "meetings":
        expected = int(p.get("per_month", 1)) * f.months
        missing = max(0, expected - f.party_days)
        return _deduct(std, Decimal(missing) * n["per_missing"]), lambda: (
            f"主题党日 {f.party_days} 次（应 {expected} 次）",
            {"party_days": "activities"},
        )
    if spec.kind == "findings":
        deduction = (
            Decimal(len(f.overdue_findings)) * n["per_finding"]
            + Decimal(len(f.overdue_suggestions)) * n["per_suggestion"]
        )
        return _deduct(std, deduction), lambda: (
            f"超期未整改问题 {len(f.overdue_findings)} 个，超期未答复建议 "
            f"{len(f.overdue_suggestions)} 条",
            {"findings": list(f.overdue_findings), "suggestions": list(f.overdue_suggestions)},
        )
    if spec.kind == "patrol":
        deduction = Decimal(len(f.patrol_findings)) * n["per_patrol_finding"]
        return _deduct(std, deduction), lambda: (
            f"巡查确认未报备离岗 {len(f.patrol_findings)} 次",
            {"patrol_findings": list(f.patrol_findings)},
        )
    if spec.kind == "bonus":
        return q(min(std, f.bonus_points)), lambda: (
            f"加分事项 {len(f.bonus_ids)} 项",
            {"bonus": list(f.bonus_ids)},
        )
    if spec.kind == "veto":
        return ZERO, lambda: ("；".join(f.vetoes) if f.vetoes else "无否决事项", {})
    # reviewer-only lines: the data has nothing to say; full marks until scored
    return std, lambda: ("由考核组评分", {})


def score(indicators: list[IndicatorSpec], facts: Facts, *, explain: bool = True) -> Result:
    """Score a village-period. With ``explain=False`` only the totals are computed (the
    lines are left out): the same rules, without the words."""
    lines = []
    total = max_total = ZERO
    has_veto = False
    for spec in sorted(indicators, key=_order):
        suggested, why = suggest(spec, facts)
        reviewer = facts.reviewer.get(spec.id) if spec.reviewer_scored else None
        final = suggested
        if reviewer is not None and reviewer.approved:
            final = q(min(spec.standard, max(ZERO, reviewer.score)))
        total += final
        if spec.kind != "bonus":
            max_total += spec.standard
        has_veto = has_veto or spec.kind == "veto"
        if not explain:
            continue
        reason, sources = why()
        if reviewer is not None:
            if not reviewer.approved:
                reason = f"{reason}；考核组评分待审定"
            elif final != suggested:
                reason = f"{reason}；考核组评 {final} 分：{reviewer.reason}"
        lines.append(
            Line(
                spec.id,
                spec.order,
                spec.name,
                spec.kind,
                spec.dimension,
                spec.standard,
                suggested,
                reviewer.score if reviewer is not None else None,
                final,
                reason,
                sources,
            )
        )
    vetoed = has_veto and bool(facts.vetoes)
    return Result(tuple(lines), q(total), q(max_total), vetoed, facts.vetoes if vetoed else ())


def ranks(totals: Sequence[tuple[Any, Decimal]]) -> dict[Any, int]:
    """Competition ranking (1, 2, 2, 4): ``{key: rank}`` for ``(key, total)`` pairs, the
    highest total first; equal totals share a rank."""
    ordered = sorted((t for _k, t in totals), reverse=True)
    first_at: dict[Decimal, int] = {}
    for position, total in enumerate(ordered, start=1):
        first_at.setdefault(total, position)
    return {key: first_at[total] for key, total in totals}


def _order(spec: IndicatorSpec) -> int:
    return spec.order


# ---------------------------------------------------------------------------
# Facts as stored with a score (compact JSON; defaults left out)
# ---------------------------------------------------------------------------
_DEFAULTS = Facts()
_TUPLES = ("report_ids", "overdue_findings", "overdue_suggestions", "patrol_findings", "bonus_ids")


def facts_to_json(f: Facts) -> dict[str, Any]:
    """What a score was computed from, as a small JSON document: the breakdown (reasons
    and the records behind every point) is rendered from it when a page asks."""
    out: dict[str, Any] = {}
    for name in ("months", "duty_judged", "duty_compliant", "visitors", "matters", "disputes"):
        value = getattr(f, name)
        if value != getattr(_DEFAULTS, name):
            out[name] = value
    for name in _TUPLES:
        value = getattr(f, name)
        if value:
            out[name] = list(value)
    if f.party_days:
        out["party_days"] = f.party_days
    if not f.report_due:
        out["report_due"] = False
        out["report_deadline"] = f.report_deadline
    if f.economy_weak is not None:
        out["economy_weak"] = f.economy_weak
    if f.bonus_points:
        out["bonus_points"] = str(f.bonus_points)
    if f.vetoes:
        out["vetoes"] = list(f.vetoes)
    if f.targets:
        out["targets"] = [
            [
                t.id,
                str(t.weight),
                t.measure,
                t.progress,
                None if t.value is None else str(t.value),
                None if t.goal is None else str(t.goal),
            ]
            for t in f.targets
        ]
    if f.reviewer:
        out["reviewer"] = {
            str(k): [str(r.score), r.reason, r.approved] for k, r in f.reviewer.items()
        }
    return out


def facts_from_json(data: dict[str, Any]) -> Facts:
    def dec(value: str | None) -> Decimal | None:
        return None if value is None else Decimal(value)

    return Facts(
        months=data.get("months", 1),
        report_due=data.get("report_due", True),
        report_deadline=data.get("report_deadline", ""),
        duty_judged=data.get("duty_judged", 0),
        duty_compliant=data.get("duty_compliant", 0),
        visitors=data.get("visitors", 0),
        matters=data.get("matters", 0),
        disputes=data.get("disputes", 0),
        party_days=data.get("party_days", 0),
        economy_weak=data.get("economy_weak"),
        bonus_points=Decimal(data.get("bonus_points", "0")),
        vetoes=tuple(data.get("vetoes", ())),
        targets=tuple(
            TargetFact(i, Decimal(w), m, p, dec(v), dec(g))
            for i, w, m, p, v, g in data.get("targets", ())
        ),
        reviewer={
            int(k): ReviewerFact(Decimal(s), reason, approved)
            for k, (s, reason, approved) in data.get("reviewer", {}).items()
        },
        **{name: tuple(data.get(name, ())) for name in _TUPLES},
    )
