"""Leave and out-on-business reports with approval tiered by length."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from attendance.models import AbsenceApproval, AbsenceReport, ApprovalTier
from attendance.models.absences import LEVEL_ORDER, ApprovalLevel
from attendance.services.rosters import public_cache_bump
from jinhu.core import clock
from jinhu.core.history import audit_actor
from jinhu.core.perms import rule_allows
from villages.selectors import Cadre, CadrePosition

#: used when no tier is configured at all (the example in the duty rules)
DEFAULT_LEVELS = (
    (1, [ApprovalLevel.SECRETARY]),
    (3, [ApprovalLevel.SECRETARY, ApprovalLevel.INSTRUCTOR]),
    (None, [ApprovalLevel.SECRETARY, ApprovalLevel.INSTRUCTOR, ApprovalLevel.STAFF]),
)


def levels_for(cadre: Cadre, kind: str, days: Any) -> list[str]:
    """The approval levels a report of ``days`` days needs, lowest first."""
    tiers = list(
        ApprovalTier.objects.filter(Q(village=cadre.village_id) | Q(village__isnull=True)).filter(
            Q(kind=kind) | Q(kind="")
        )
    )
    # The village's own tiers win over the sub-district's; within them, the
    # tightest limit that still covers the report.
    own = [t for t in tiers if t.village_id is not None] or tiers
    levels = None
    if own:
        fitting = [t for t in own if t.max_days is None or days <= t.max_days]
        if fitting:
            fitting.sort(key=lambda t: (t.max_days is None, t.max_days or 0))
            levels = [str(level) for level in fitting[0].levels]
    if levels is None:
        for limit, default in DEFAULT_LEVELS:
            if limit is None or days <= limit:
                levels = [str(level) for level in default]
                break
    assert levels is not None  # (DEFAULT_LEVELS ends with a level for any length)
    if _is_sitting_secretary(cadre) and ApprovalLevel.SECRETARY in levels:
        # Nobody approves their own leave: the secretary's report goes one level up.
        levels = [
            str(ApprovalLevel.INSTRUCTOR) if x == ApprovalLevel.SECRETARY else x for x in levels
        ]
        order = [str(level) for level in LEVEL_ORDER]
        levels = sorted(set(levels), key=order.index)
    return levels


def _is_sitting_secretary(cadre: Cadre) -> bool:
    return (
        CadrePosition.objects.current()
        .filter(cadre=cadre, title=CadrePosition.Title.PARTY_SECRETARY)
        .exists()
    )


@transaction.atomic
def absence_submit(
    *,
    actor: User,
    cadre: Cadre,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    destination: str = "",
) -> AbsenceReport:
    if not actor.has_perm("attendance.submit_absence", cadre):
        raise PermissionDenied(_("您无权为该干部报备。"))
    report = AbsenceReport(
        village_id=cadre.village_id,
        cadre=cadre,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        destination=destination.strip(),
        submitted_by=actor,
    )
    report.full_clean(exclude=["required_levels"])
    overlapping = AbsenceReport.objects.filter(
        cadre=cadre, status__in=[AbsenceReport.Status.PENDING, AbsenceReport.Status.APPROVED]
    ).covering(starts_at, ends_at)
    if overlapping.exists():
        raise ValidationError(_("该干部在这段时间已有请假或外出报备。"))
    report.required_levels = levels_for(cadre, kind, report.length_days)
    with audit_actor(actor):
        report.save()
    return report


@transaction.atomic
def absence_decide(
    *, actor: User, report: AbsenceReport, approve: bool, comment: str = ""
) -> AbsenceReport:
    report = AbsenceReport.objects.select_for_update().get(pk=report.pk)
    level = report.next_level()
    if level is not None and report.decided_by(actor):
        raise PermissionDenied(_("您已审批过该报备的上一级：每一级须由不同的人审批。"))
    if not rule_allows("attendance.decide_absence", actor, report):
        raise PermissionDenied(_("该报备当前不需要您审批。"))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("不同意时请填写意见。")})
    assert level is not None  # (decide_absence holds only while a tier is left)
    with audit_actor(actor):
        AbsenceApproval.objects.create(
            report=report, level=level, approver=actor, approved=approve, comment=comment.strip()
        )
        if not approve:
            report.status = AbsenceReport.Status.REJECTED
            report.decided_at = clock.now()
        elif report.next_level() is None:
            report.status = AbsenceReport.Status.APPROVED
            report.decided_at = clock.now()
        report.save(update_fields=["status", "decided_at"])
    if report.status == AbsenceReport.Status.APPROVED:
        village = report.village
        transaction.on_commit(lambda: public_cache_bump(village))
        _rejudge(report)
    return report


def _rejudge(report: AbsenceReport) -> None:
    """The slots a report covers are excused (or no longer): judge them again."""
    from attendance.services.outcomes import absence_days, outcomes_judge_later

    outcomes_judge_later(report.village_id, absence_days(report))


@transaction.atomic
def absence_cancel(*, actor: User, report: AbsenceReport) -> AbsenceReport:
    if not actor.has_perm("attendance.cancel_absence", report):
        raise PermissionDenied(_("只有填报人或街道工作人员可以撤回。"))
    if report.status not in (AbsenceReport.Status.PENDING, AbsenceReport.Status.APPROVED):
        raise ValidationError(_("该报备已结束，不能撤回。"))
    report.status = AbsenceReport.Status.CANCELLED
    with audit_actor(actor):
        report.save(update_fields=["status"])
    village = report.village
    transaction.on_commit(lambda: public_cache_bump(village))
    _rejudge(report)
    return report
