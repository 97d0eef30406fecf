"""TODO docstring."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from demonstration_belt.models import (
    Evidence,
    MonthlyReport,
    ReportEvent,
    ReportItem,
    ReportStatus,
    Target,
)
from demonstration_belt.selectors import report_due_on, report_submitter_id
from jinhu.core import clock, periods, upload_fields
from jinhu.core.history import audit_actor
from jinhu.core.periods import Month
from villages.selectors import Village, display_name


def _targets_for(village: Village, year: int, month: int) -> Any:
    """Targets due in or after this month (in progress or due), from the year's plan."""
    month_start = dt.date(year, month, 1)
    return Target.objects.filter(
        plan__village=village, plan__year=year, due_on__gte=month_start
    ).order_by("dimension", "code")


@transaction.atomic
def report_open(*, actor: User, village: Village, year: int, month: int) -> MonthlyReport:
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
    *, actor: User, report: MonthlyReport, narrative: str, items: dict[int, dict[str, Any]]
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


@dataclass
class ReportUpdate:
    """What became of the secretary's save: the files refused (with their reasons), and
    whether the report went in, or why not (``refusal``, the submit's ValidationError)."""

    report: MonthlyReport
    refused: list[str] = field(default_factory=list)
    submitted: bool = False
    refusal: ValidationError | None = None


@transaction.atomic
def report_update(
    *,
    actor: User,
    report: MonthlyReport,
    narrative: str,
    items: dict[int, dict[str, Any]],
    uploads: Iterable[Any] = (),
    submit: bool = False,
) -> ReportUpdate:
    """The secretary's one action on the report page, in one transaction: save the text,
    attach the files, and, when asked and every file was accepted, submit.

    A refused file (type, size, a picture too large to open) is reported with its reason
    and skipped: it never costs the draft. A submit the workflow refuses leaves the saved
    draft and says why. A refusal to save the draft itself (permission, a done target
    without its value) is raised as usual."""
    report = report_save_draft(actor=actor, report=report, narrative=narrative, items=items)
    update = ReportUpdate(report)
    for uploaded in uploads:
        try:
            with transaction.atomic():
                evidence_add(actor=actor, report=report, uploaded=uploaded)
        except ValidationError as error:
            update.refused.extend(error.messages)
    if submit and not update.refused:
        try:
            with transaction.atomic():
                update.report = report_submit(actor=actor, report=report)
        except ValidationError as error:
            update.refusal = error
        else:
            update.submitted = True
    return update


def _event(report: MonthlyReport, action: str, actor: User, comment: str = "") -> None:
    ReportEvent.objects.create(report=report, action=action, actor=actor, comment=comment)


def _transition(
    actor: User,
    report: MonthlyReport,
    *,
    allowed_from: tuple[Any, ...],
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


def _mark_scores_stale(report: MonthlyReport) -> None:
    from demonstration_belt.services.scores import scores_mark_stale

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
def report_submit(*, actor: User, report: MonthlyReport) -> MonthlyReport:
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
def report_return(*, actor: User, report: MonthlyReport, comment: str) -> MonthlyReport:
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
def report_approve(*, actor: User, report: MonthlyReport, comment: str = "") -> MonthlyReport:
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
def report_reopen(*, actor: User, report: MonthlyReport, comment: str) -> MonthlyReport:
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
    *, actor: User, report: MonthlyReport, uploaded: Any, item: ReportItem | None = None
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
