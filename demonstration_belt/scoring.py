"""The scoring core: a village's agreement indicators against its facts. Pure functions.

Every line of the result carries the score the data suggests, the reviewer's
score where the agreement says a reviewer scores it (used once a second
person approved it; a difference needs a reason), the final score, the reason
in words, and the references of the records behind it, so that every point
can be traced. Veto items fail the year whatever the total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")


def q(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class IndicatorSpec:
    id: int
    order: int
    name: str
    kind: str
    standard: Decimal
    dimension: str = ""
    params: dict = field(default_factory=dict)
    reviewer_scored: bool = False


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


@dataclass(frozen=True)
class Facts:
    months: int = 1
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
    sources: dict

    def as_dict(self) -> dict:
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


def suggest(spec: IndicatorSpec, f: Facts) -> tuple[Decimal, str, dict]:
    """The score the data suggests for one indicator, why, and the records behind it."""
    p, std = spec.params, spec.standard
    if spec.kind == "targets":
        if not f.targets:
            return ZERO, "本期没有审核通过的月度进度", {"reports": list(f.report_ids)}
        total_weight = sum((t.weight for t in f.targets), ZERO)
        done = sum((t.weight * t.fraction for t in f.targets), ZERO)
        share = done / total_weight if total_weight else ZERO
        return (
            q(std * share),
            f"目标加权完成 {q(share * 100)}%",
            {"reports": list(f.report_ids), "targets": [t.id for t in f.targets]},
        )
    if spec.kind == "duty":
        if not f.duty_judged:
            return std, "本期无已判定的坐班时段（待判定、设备未同步不扣分）", {}
        rate = Decimal(f.duty_compliant * 100) / Decimal(f.duty_judged)
        threshold = Decimal(str(p.get("threshold", 95)))
        per_point = Decimal(str(p.get("per_point", 1)))
        deduction = max(ZERO, threshold - rate) * per_point
        return (
            _deduct(std, deduction),
            (f"合规率 {q(rate)}%（{f.duty_compliant}/{f.duty_judged}），标准 {threshold}%"),
            {"outcomes": "duty"},
        )
    if spec.kind == "service":
        expected = Decimal(str(p.get("visitors_per_month", 40))) * f.months
        share = min(Decimal(1), Decimal(f.visitors) / expected) if expected else Decimal(1)
        return (
            q(std * share),
            (
                f"接待 {f.visitors} 人次（要求 {expected}），办理事项 {f.matters} 件，"
                f"调处纠纷 {f.disputes} 件"
            ),
            {"dutylog": "entries"},
        )
    if spec.kind == "economy":
        if f.economy_weak is None:
            return ZERO, "未填报集体经济数据", {}
        if f.economy_weak:
            return ZERO, "总收入或经营性收入未超过消薄标准", {"economy": "status"}
        return std, "已消薄", {"economy": "status"}
    if spec.kind == "meetings":
        expected = int(p.get("per_month", 1)) * f.months
        missing = max(0, expected - f.party_days)
        deduction = Decimal(missing) * Decimal(str(p.get("per_missing", 1)))
        return (
            _deduct(std, deduction),
            f"主题党日 {f.party_days} 次（应 {expected} 次）",
            {"party_days": "activities"},
        )
    if spec.kind == "findings":
        deduction = Decimal(len(f.overdue_findings)) * Decimal(
            str(p.get("per_finding", 2))
        ) + Decimal(len(f.overdue_suggestions)) * Decimal(str(p.get("per_suggestion", 1)))
        return (
            _deduct(std, deduction),
            (
                f"超期未整改问题 {len(f.overdue_findings)} 个，超期未答复建议 "
                f"{len(f.overdue_suggestions)} 条"
            ),
            {"findings": list(f.overdue_findings), "suggestions": list(f.overdue_suggestions)},
        )
    if spec.kind == "patrol":
        deduction = Decimal(len(f.patrol_findings)) * Decimal(str(p.get("per_finding", 1)))
        return (
            _deduct(std, deduction),
            f"巡查确认未报备离岗 {len(f.patrol_findings)} 次",
            {"patrol_findings": list(f.patrol_findings)},
        )
    if spec.kind == "bonus":
        points = min(std, f.bonus_points)
        return q(points), f"加分事项 {len(f.bonus_ids)} 项", {"bonus": list(f.bonus_ids)}
    if spec.kind == "veto":
        return ZERO, "；".join(f.vetoes) if f.vetoes else "无否决事项", {}
    # reviewer-only lines: the data has nothing to say; full marks until scored
    return std, "由考核组评分", {}


def score(indicators: list[IndicatorSpec], facts: Facts) -> Result:
    lines = []
    for spec in sorted(indicators, key=lambda s: s.order):
        suggested, reason, sources = suggest(spec, facts)
        reviewer = facts.reviewer.get(spec.id) if spec.reviewer_scored else None
        final = suggested
        reviewer_score = None
        if reviewer is not None:
            reviewer_score = reviewer.score
            if reviewer.approved:
                final = q(min(spec.standard, max(ZERO, reviewer.score)))
                if final != suggested:
                    reason = f"{reason}；考核组评 {final} 分：{reviewer.reason}"
            else:
                reason = f"{reason}；考核组评分待审定"
        lines.append(
            Line(
                spec.id,
                spec.order,
                spec.name,
                spec.kind,
                spec.dimension,
                spec.standard,
                suggested,
                reviewer_score,
                final,
                reason,
                sources,
            )
        )
    total = q(sum((line.final for line in lines), ZERO))
    max_total = q(sum((line.standard for line in lines if line.kind != "bonus"), ZERO))
    vetoed = any(line.kind == "veto" for line in lines) and bool(facts.vetoes)
    return Result(tuple(lines), total, max_total, vetoed, facts.vetoes if vetoed else ())
