"""TODO docstring."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from demonstration_belt.models import (
    Finding,
    Suggestion,
    TrackedStatus,
)
from jinhu.core import clock, upload_fields
from jinhu.core.history import audit_actor

# ---------------------------------------------------------------------------
# Tracked items: findings, follow-ups, suggestions
# ---------------------------------------------------------------------------
FINDING_FLOW: dict[str, tuple[str, ...]] = {
    TrackedStatus.OPEN: (TrackedStatus.IN_PROGRESS, TrackedStatus.RECHECK),
    TrackedStatus.IN_PROGRESS: (TrackedStatus.RECHECK,),
    TrackedStatus.RECHECK: (TrackedStatus.CLOSED, TrackedStatus.IN_PROGRESS),
    TrackedStatus.CLOSED: (),
}


@transaction.atomic
def finding_advance(
    *, actor: User, finding: Finding, to: str, rectification: str = "", evidence: Any = None
) -> Finding:
    """Open → rectifying → re-check (回头看) → closed; a failed re-check goes back."""
    if to not in FINDING_FLOW[finding.status]:
        raise ValidationError(_("不能从“%(a)s”变为该状态。") % {"a": finding.get_status_display()})
    closing = to == TrackedStatus.CLOSED or (
        finding.status == TrackedStatus.RECHECK and to == TrackedStatus.IN_PROGRESS
    )
    perm = "demonstration_belt.recheck" if closing else "demonstration_belt.rectify"
    if not actor.has_perm(perm, finding):
        raise PermissionDenied(_("您无权执行此操作。"))
    if to == TrackedStatus.RECHECK and not (rectification or finding.rectification).strip():
        raise ValidationError({"rectification": _("请先填写整改情况。")})
    if rectification:
        finding.rectification = rectification.strip()
    if evidence is not None:
        checked = upload_fields.accepted(evidence, upload_fields.DOCUMENT)
        finding.evidence = upload_fields.as_file(checked, evidence.name)
    today = clock.today()
    if finding.status == TrackedStatus.RECHECK:
        finding.rechecked_on = today
    if to == TrackedStatus.CLOSED:
        finding.closed_on = today
    finding.status = to
    with audit_actor(actor):
        finding.save()
    return finding


@transaction.atomic
def suggestion_update(
    *, actor: User, suggestion: Suggestion, status: str, reply: str = "", decline_reason: str = ""
) -> Suggestion:
    if not actor.has_perm("demonstration_belt.handle_suggestion", suggestion):
        raise PermissionDenied(_("您无权处理该建议。"))
    suggestion.status = status
    suggestion.reply = reply.strip() or suggestion.reply
    suggestion.decline_reason = decline_reason.strip()
    if status in (Suggestion.Status.DONE, Suggestion.Status.DECLINED):
        if not suggestion.reply:
            raise ValidationError({"reply": _("办结或不予采纳时请填写答复。")})
        suggestion.closed_on = suggestion.closed_on or clock.today()
    else:
        suggestion.closed_on = None
    suggestion.full_clean()
    with audit_actor(actor):
        suggestion.save()
    return suggestion


# ---------------------------------------------------------------------------
# Recording the belt's working records
# ---------------------------------------------------------------------------
RECORD_PERMS = {
    "PartyDayActivity": "demonstration_belt.handle_suggestion",  # the village or staff
    "Suggestion": "demonstration_belt.handle_suggestion",
    "Finding": "demonstration_belt.recheck",  # found by staff or the instructor
}


@transaction.atomic
def record_create(*, actor: User, form: Any) -> Any:
    """Save a validated record form after checking the actor may write for its village."""
    instance = form.instance
    perm = RECORD_PERMS[type(instance).__name__]
    if not actor.has_perm(perm, instance):
        raise PermissionDenied(_("您无权为该村登记此记录。"))
    with audit_actor(actor):
        return form.save()


@transaction.atomic
def meeting_create(*, actor: User, form: Any) -> Any:
    if not actor.has_perm("demonstration_belt.manage_plans", None):
        raise PermissionDenied(_("只有街道工作人员可以登记会议活动。"))
    with audit_actor(actor):
        return form.save()
