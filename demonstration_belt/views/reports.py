"""Monthly progress reports: the list, opening a month, the report page (draft,
evidence, submit, review) and its files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from demonstration_belt import exports, selectors
from demonstration_belt.forms import (
    CommentForm,
    ReportForm,
)
from demonstration_belt.models import (
    Agreement,
    Evidence,
    Finding,
    Meeting,
    MonthlyReport,
    PartyDayActivity,
    ReportStatus,
)
from demonstration_belt.services import reports as reports_service
from jinhu.core import clock, params, tabular
from jinhu.core.forms import apply_errors
from jinhu.core.periods import Month
from jinhu.core.requests import AuthedRequest
from villages import selectors as village_selectors


# ---------------------------------------------------------------------------
# Monthly reports
# ---------------------------------------------------------------------------
@login_required
def report_list(request: AuthedRequest) -> HttpResponse:
    reports = MonthlyReport.objects.for_user(request.user).select_related("village")
    status = params.choice(request.GET, "status", ReportStatus.values)
    if status:
        reports = reports.filter(status=status)
    if fmt := tabular.export_format(request):
        return tabular.download(
            tabular.sheet_of("月度进度", exports.REPORTS, reports), "月度进度报告", fmt
        )
    months = selectors.report_months(request.user)
    return render(
        request,
        "belt/report_list.html",
        {
            "report_months": months,
            "several_villages": len({row.village.pk for row in months}) > 1,
            "reports": reports[:200],
            "status": status,
            "statuses": ReportStatus.choices,
            "late": selectors.late_reports(request.user)
            if request.user.has_perm("demonstration_belt.follow_up_reports")
            else [],
        },
    )


@login_required
def report_open(request: AuthedRequest, code: str, year: int, month: int) -> HttpResponse:
    """A month's report: shown if it exists; started (a POST, never a GET) if not."""
    village = village_selectors.village_or_404(request.user, code)
    params.check_year(year)
    params.check_month(month)
    existing = MonthlyReport.objects.filter(village=village, year=year, month=month).first()
    if existing is not None:
        return redirect(existing)
    can_start = request.user.has_perm("demonstration_belt.fill_report", village)
    period = Month(year, month)
    error = ""
    if request.method == "POST":
        if not can_start:
            raise PermissionDenied
        try:
            report = reports_service.report_open(
                actor=request.user, village=village, year=year, month=month
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, _("已建立 %(m)s 月度进度草稿。") % {"m": period.label})
            return redirect(report)
    return render(
        request,
        "belt/report_start.html",
        {
            "village": village,
            "period": period,
            "can_start": can_start and period <= Month.of(clock.today()),
            "due_on": selectors.report_due_on(year, month),
            "error": error,
        },
    )


@login_required
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        MonthlyReport.objects.for_user(request.user).select_related("village"), pk=pk
    )
    items = report.items.select_related("target").order_by("target__dimension", "target__code")
    can_fill = request.user.has_perm("demonstration_belt.fill_report", report)
    can_review = request.user.has_perm("demonstration_belt.review_report", report)
    can_reopen = request.user.has_perm("demonstration_belt.reopen_report", report)
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        items=items,
        initial={"narrative": report.narrative},
    )
    comment_form = CommentForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action in ("save", "submit"):
                if not can_fill:
                    raise PermissionDenied
                if form.is_valid():
                    update = reports_service.report_update(
                        actor=request.user,
                        report=report,
                        narrative=form.cleaned_data["narrative"],
                        items=form.item_data(),
                        uploads=request.FILES.getlist("evidence"),
                        submit=action == "submit",
                    )
                    for message in update.refused:
                        messages.error(request, message)
                    if update.refusal is not None:
                        raise update.refusal
                    if update.submitted:
                        messages.success(request, _("报告已提交，等待审核。"))
                    elif update.refused:
                        messages.info(request, _("文字内容已保存为草稿。"))
                    else:
                        messages.success(request, _("草稿已保存。"))
                    return redirect(report)
            elif action in ("return", "approve", "reopen") and comment_form.is_valid():
                comment = comment_form.cleaned_data["comment"]
                if action == "return":
                    reports_service.report_return(
                        actor=request.user, report=report, comment=comment
                    )
                    messages.success(request, _("已退回，并通知村里修改。"))
                elif action == "approve":
                    reports_service.report_approve(
                        actor=request.user, report=report, comment=comment
                    )
                    messages.success(request, _("报告已通过。"))
                else:
                    reports_service.report_reopen(
                        actor=request.user, report=report, comment=comment
                    )
                    messages.success(request, _("报告已重新打开，操作已记录。"))
                return redirect(report)
        except ValidationError as error:
            if action in ("approve", "return", "reopen") and not hasattr(error, "error_dict"):
                # Someone acted first, or the state does not allow it: say so in words.
                messages.error(request, "；".join(error.messages))
                return redirect(report)
            apply_errors(comment_form if action in ("return", "reopen") else form, error)
        report.refresh_from_db()
    events = list(report.events.select_related("actor__profile"))
    return render(
        request,
        "belt/report_detail.html",
        {
            "report": report,
            "form": form,
            "comment_form": comment_form,
            "can_fill": can_fill and report.editable,
            "can_review": can_review and report.status == ReportStatus.SUBMITTED,
            "can_approve": can_review
            and report.status == ReportStatus.SUBMITTED
            and selectors.report_submitter_id(report) != request.user.pk,
            "can_reopen": can_reopen and report.status == ReportStatus.APPROVED,
            "events": events,
            # Only the latest word counts: an approval's comment replaces the return's.
            "latest_comment": next((e for e in reversed(events) if e.comment), None),
            "evidence": report.evidence.all(),
        },
    )


@login_required
def evidence_file(request: AuthedRequest, pk: int) -> FileResponse:
    """Evidence is served only to people who may see its village (never from the web root)."""
    evidence = get_object_or_404(Evidence.objects.for_user(request.user), pk=pk)
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response


#: files kept on records, served like evidence: (model, file field) by URL kind
ATTACHMENTS: dict[str, tuple[Any, str]] = {
    "agreement": (Agreement, "scan"),
    "finding": (Finding, "evidence"),
    "meeting": (Meeting, "photo"),
    "party-day": (PartyDayActivity, "photo"),
}


@login_required
def attachment(request: AuthedRequest, kind: str, pk: int) -> FileResponse:
    """A record's file (a signed scan, rectification evidence, a photo), to people who
    may see the record; files are checked on upload, so only JPEG and PDF are here."""
    import mimetypes

    if kind not in ATTACHMENTS:
        raise Http404
    model, field = ATTACHMENTS[kind]
    record = get_object_or_404(model.objects.for_user(request.user), pk=pk)
    stored = getattr(record, field)
    if not stored:
        raise Http404
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response
