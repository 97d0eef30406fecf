"""Writes with rules for the belt: the monthly report workflow, evidence, tracked items."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from demonstration_belt.models import (
    CreationPlan,
    Evidence,
    Finding,
    MonthlyReport,
    ReportEvent,
    ReportItem,
    ReportStatus,
    Suggestion,
    Target,
    TrackedStatus,
)
from jinhu.core import clock, periods, upload_fields
from jinhu.core.history import audit_actor
from jinhu.core.periods import Month
from villages.models import Village
from villages.selectors import display_name


def report_due_on(year: int, month: int) -> dt.date:
    """A month's report is due on day JINHU_REPORT_DUE_DAY of the following month."""
    return periods.report_deadline(Month(year, month), settings.JINHU_REPORT_DUE_DAY)


def _targets_for(village: Village, year: int, month: int):
    """Targets due in or after this month (in progress or due), from the year's plan."""
    month_start = dt.date(year, month, 1)
    return Target.objects.filter(
        plan__village=village, plan__year=year, due_on__gte=month_start
    ).order_by("dimension", "code")


@transaction.atomic
def report_open(*, actor, village: Village, year: int, month: int) -> MonthlyReport:
    """The month's report, created as a draft with one line per target if needed.

    Only for a month that has begun (this month and earlier ones): next month's
    progress cannot be reported yet.
    """
    if not actor.has_perm("demonstration_belt.fill_report", village):
        raise PermissionDenied(_("您无权填报该村的月度进度。"))
    if not periods.year_in_range(year) or Month(year, month) > Month.of(clock.today()):
        raise ValidationError(_("只能填报本月及以前月份的进度。"))
    report, _created = MonthlyReport.objects.get_or_create(
        village=village,
        year=year,
        month=month,
        defaults={"due_on": report_due_on(year, month)},
    )
    existing = set(report.items.values_list("target_id", flat=True))
    ReportItem.objects.bulk_create(
        [
            ReportItem(report=report, target=t)
            for t in _targets_for(village, year, month)
            if t.pk not in existing
        ]
    )
    return report


@transaction.atomic
def report_save_draft(
    *, actor, report: MonthlyReport, narrative: str, items: dict[int, dict]
) -> MonthlyReport:
    """Save what the secretary typed, whatever happens to the uploads after it."""
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if not actor.has_perm("demonstration_belt.fill_report", report):
        raise PermissionDenied(_("您无权填报该村的月度进度。"))
    if not report.editable:
        raise ValidationError(_("该报告已提交或已通过，不能修改。"))
    report.narrative = narrative.strip()
    with audit_actor(actor):
        report.save(update_fields=["narrative", "updated_at"])
        for item in report.items.select_related("target"):
            data = items.get(item.pk)
            if data is None:
                continue
            item.progress = data.get("progress") or item.progress
            item.value = data.get("value")
            item.note = (data.get("note") or "").strip()
            if (
                item.target.measure == Target.Measure.NUMBER
                and item.value is None
                and (item.progress == ReportItem.Progress.DONE)
            ):
                raise ValidationError(
                    {
                        f"value_{item.pk}": _("“%(t)s”已完成时请填写当前值。")
                        % {"t": item.target.title}
                    }
                )
            item.save()
    return report


def _event(report: MonthlyReport, action: str, actor, comment: str = "") -> None:
    ReportEvent.objects.create(report=report, action=action, actor=actor, comment=comment)


def _transition(
    actor,
    report: MonthlyReport,
    *,
    allowed_from: tuple,
    to: str,
    action: str,
    perm: str,
    comment: str = "",
    needs_comment: bool = False,
) -> MonthlyReport:
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if not actor.has_perm(perm, report):
        raise PermissionDenied(_("您无权执行此操作。"))
    if report.status not in allowed_from:
        raise ValidationError(_lost_race(report, action))
    if needs_comment and not comment.strip():
        raise ValidationError({"comment": _("请填写意见。")})
    if action == ReportEvent.Action.APPROVE and report_submitter_id(report) == actor.pk:
        raise PermissionDenied(_("提交人不能审核通过自己提交的报告：须由另一人审核。"))
    report.status = to
    now = clock.now()
    if to == ReportStatus.SUBMITTED:
        report.submitted_at = now
    if to == ReportStatus.APPROVED:
        report.approved_at = now
    with audit_actor(actor):
        report.save()
        _event(report, action, actor, comment.strip())
    if action in (ReportEvent.Action.APPROVE, ReportEvent.Action.REOPEN):
        _mark_scores_stale(report)
    return report


def report_submitter_id(report: MonthlyReport) -> int | None:
    """Who submitted the report last (the two-person rule: they do not approve it)."""
    return (
        report.events.filter(action=ReportEvent.Action.SUBMIT)
        .order_by("-at", "-pk")
        .values_list("actor_id", flat=True)
        .first()
    )


def _mark_scores_stale(report: MonthlyReport) -> None:
    from demonstration_belt.scoring_services import scores_mark_stale

    scores_mark_stale(village_id=report.village_id, year=report.year, month=report.month)


def _lost_race(report: MonthlyReport, action: str) -> str:
    """What happened instead, in words: someone else acted first (or it was never allowed)."""
    attempted = ReportEvent.Action(action).label
    last = report.events.select_related("actor__profile").order_by("-at").first()
    if last is None:
        return _("报告当前状态为“%(s)s”，不能%(a)s。") % {
            "s": report.get_status_display(),
            "a": attempted,
        }
    return _("该报告已由 %(who)s 于 %(when)s %(did)s（现为“%(s)s”），您的“%(a)s”未执行。") % {
        "who": display_name(last.actor),
        "when": clock.local(last.at).strftime("%m月%d日 %H:%M"),
        "did": last.get_action_display(),
        "s": report.get_status_display(),
        "a": attempted,
    }


@transaction.atomic
def report_submit(*, actor, report: MonthlyReport) -> MonthlyReport:
    report = MonthlyReport.objects.get(pk=report.pk)  # what is saved, not a stale copy
    if not actor.has_perm("demonstration_belt.fill_report", report):
        raise PermissionDenied(_("您无权提交该村的月度进度。"))
    items = list(report.items.all())
    if not report.narrative.strip():
        raise ValidationError({"narrative": _("请填写本月工作情况。")})
    if any(i.progress == ReportItem.Progress.NOT_STARTED and not i.note for i in items):
        raise ValidationError(_("未开始的目标请在“说明”中写明原因。"))
    return _transition(
        actor,
        report,
        allowed_from=(ReportStatus.DRAFT, ReportStatus.RETURNED),
        to=ReportStatus.SUBMITTED,
        action=ReportEvent.Action.SUBMIT,
        perm="demonstration_belt.fill_report",
    )


@transaction.atomic
def report_return(*, actor, report: MonthlyReport, comment: str) -> MonthlyReport:
    return _transition(
        actor,
        report,
        allowed_from=(ReportStatus.SUBMITTED,),
        to=ReportStatus.RETURNED,
        action=ReportEvent.Action.RETURN,
        perm="demonstration_belt.review_report",
        comment=comment,
        needs_comment=True,
    )


@transaction.atomic
def report_approve(*, actor, report: MonthlyReport, comment: str = "") -> MonthlyReport:
    return _transition(
        actor,
        report,
        allowed_from=(ReportStatus.SUBMITTED,),
        to=ReportStatus.APPROVED,
        action=ReportEvent.Action.APPROVE,
        perm="demonstration_belt.review_report",
        comment=comment,
    )


@transaction.atomic
def report_reopen(*, actor, report: MonthlyReport, comment: str) -> MonthlyReport:
    """Only staff reopen an approved report; the reason is logged for good."""
    return _transition(
        actor,
        report,
        allowed_from=(ReportStatus.APPROVED,),
        to=ReportStatus.RETURNED,
        action=ReportEvent.Action.REOPEN,
        perm="demonstration_belt.reopen_report",
        comment=comment,
        needs_comment=True,
    )


# ---------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------
@transaction.atomic
def evidence_add(
    *, actor, report: MonthlyReport, uploaded, item: ReportItem | None = None
) -> Evidence:
    report = MonthlyReport.objects.get(pk=report.pk)  # its status now, not a stale copy
    if not actor.has_perm("demonstration_belt.fill_report", report):
        raise PermissionDenied(_("您无权为该报告上传材料。"))
    if not report.editable:
        raise ValidationError(_("该报告已提交或已通过，不能再上传材料。"))
    checked = upload_fields.accepted(uploaded, upload_fields.DOCUMENT)
    data, kind = checked.data, checked.content_type
    digest = hashlib.sha256(data).hexdigest()
    existing = Evidence.objects.filter(report=report, sha256=digest).first()
    if existing is not None:
        return existing  # the same file again (a double submit): kept once
    extension = checked.extension
    evidence = Evidence(
        report=report,
        item=item,
        original_name=uploaded.name[:200],
        content_type=kind,
        size=len(data),
        sha256=digest,
        uploaded_by=actor,
    )
    evidence.file.save(f"{digest[:16]}{extension}", ContentFile(data), save=False)
    try:
        with transaction.atomic(), audit_actor(actor):
            evidence.save()
    except IntegrityError:
        # The same file committed by a concurrent request a moment ago: that one counts.
        return Evidence.objects.get(report=report, sha256=digest)
    return evidence


# ---------------------------------------------------------------------------
# Tracked items: findings, follow-ups, suggestions
# ---------------------------------------------------------------------------
FINDING_FLOW = {
    TrackedStatus.OPEN: (TrackedStatus.IN_PROGRESS, TrackedStatus.RECHECK),
    TrackedStatus.IN_PROGRESS: (TrackedStatus.RECHECK,),
    TrackedStatus.RECHECK: (TrackedStatus.CLOSED, TrackedStatus.IN_PROGRESS),
    TrackedStatus.CLOSED: (),
}


@transaction.atomic
def finding_advance(
    *, actor, finding: Finding, to: str, rectification: str = "", evidence=None
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
    *, actor, suggestion: Suggestion, status: str, reply: str = "", decline_reason: str = ""
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


def plan_for(village: Village, year: int) -> CreationPlan | None:
    return CreationPlan.objects.filter(village=village, year=year).first()


# ---------------------------------------------------------------------------
# Recording the belt's working records
# ---------------------------------------------------------------------------
RECORD_PERMS = {
    "PartyDayActivity": "demonstration_belt.handle_suggestion",  # the village or staff
    "Suggestion": "demonstration_belt.handle_suggestion",
    "Finding": "demonstration_belt.recheck",  # found by staff or the instructor
}


@transaction.atomic
def record_create(*, actor, form):
    """Save a validated record form after checking the actor may write for its village."""
    instance = form.instance
    perm = RECORD_PERMS[type(instance).__name__]
    if not actor.has_perm(perm, instance):
        raise PermissionDenied(_("您无权为该村登记此记录。"))
    with audit_actor(actor):
        return form.save()


@transaction.atomic
def meeting_create(*, actor, form):
    if not actor.has_perm("demonstration_belt.manage_plans", None):
        raise PermissionDenied(_("只有街道工作人员可以登记会议活动。"))
    with audit_actor(actor):
        return form.save()
