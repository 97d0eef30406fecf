from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from demonstration_belt import exports, resources, selectors, services
from demonstration_belt.forms import (
    CommentForm,
    FindingCreateForm,
    FindingForm,
    ImportForm,
    MeetingForm,
    PartyDayForm,
    ReportForm,
    SuggestionCreateForm,
    SuggestionForm,
)
from demonstration_belt.models import (
    Agreement,
    Belt,
    BeltMembership,
    CreationPlan,
    Dimension,
    Evidence,
    Finding,
    Meeting,
    MonthlyReport,
    PartyDayActivity,
    ReportStatus,
    ServiceCenterCheck,
    Suggestion,
)
from jinhu.core import clock, params, tabular
from jinhu.core.forms import apply_errors, errors_as_messages, refusal_as_message
from jinhu.core.periods import Month
from villages import selectors as village_selectors
from villages.models import Village, sees_all_villages
from villages.selectors import scope_label


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    year = clock.today().year
    belt = Belt.objects.first()
    memberships = BeltMembership.objects.for_user(request.user).select_related("village")
    plans = {p.village_id: p for p in CreationPlan.objects.for_user(request.user).filter(year=year)}
    return render(
        request,
        "belt/overview.html",
        {
            "belt": belt,
            "memberships": memberships,
            "plans": plans,
            "year": year,
            "agreements": Agreement.objects.for_user(request.user)
            .filter(year=year)
            .select_related("village"),
        },
    )


@login_required
def plan(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = village_selectors.village_or_404(request.user, code)
    params.check_year(year)
    plan = get_object_or_404(CreationPlan, village=village, year=year)
    targets = plan.targets.all()
    by_dimension = [
        (label, [t for t in targets if t.dimension == value]) for value, label in Dimension.choices
    ]
    return render(request, "belt/plan.html", {"plan": plan, "by_dimension": by_dimension})


@login_required
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(
        Agreement.objects.for_user(request.user).select_related("village", "party_b"), pk=pk
    )
    return render(
        request,
        "belt/agreement.html",
        {"agreement": agreement, "indicators": agreement.indicators.all()},
    )


# ---------------------------------------------------------------------------
# Monthly reports
# ---------------------------------------------------------------------------
@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    reports = MonthlyReport.objects.for_user(request.user).select_related("village")
    status = params.choice(request.GET, "status", ReportStatus.values)
    if status:
        reports = reports.filter(status=status)
    if fmt := tabular.export_format(request):
        return tabular.download(
            tabular.sheet_of("月度进度", exports.REPORTS, reports), "月度进度报告", fmt
        )
    return render(
        request,
        "belt/report_list.html",
        {
            "reports": reports[:200],
            "status": status,
            "statuses": ReportStatus.choices,
            "late": selectors.late_reports(request.user)
            if sees_all_villages(request.user)
            or request.user.has_perm("demonstration_belt.review_report", None)
            else [],
        },
    )


@login_required
def report_open(request: HttpRequest, code: str, year: int, month: int) -> HttpResponse:
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
            report = services.report_open(
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
            "due_on": services.report_due_on(year, month),
            "error": error,
        },
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
                    # The text is saved first: a failed upload never loses the draft.
                    services.report_save_draft(
                        actor=request.user,
                        report=report,
                        narrative=form.cleaned_data["narrative"],
                        items=form.item_data(),
                    )
                    upload_errors = []
                    for uploaded in request.FILES.getlist("evidence"):
                        try:
                            services.evidence_add(
                                actor=request.user, report=report, uploaded=uploaded
                            )
                        except ValidationError as error:
                            upload_errors.extend(error.messages)
                    if upload_errors:
                        for message in upload_errors:
                            messages.error(request, message)
                        messages.info(request, _("文字内容已保存为草稿。"))
                        return redirect(report)
                    if action == "submit":
                        services.report_submit(actor=request.user, report=report)
                        messages.success(request, _("报告已提交，等待审核。"))
                    else:
                        messages.success(request, _("草稿已保存。"))
                    return redirect(report)
            elif action in ("return", "approve", "reopen") and comment_form.is_valid():
                comment = comment_form.cleaned_data["comment"]
                if action == "return":
                    services.report_return(actor=request.user, report=report, comment=comment)
                    messages.success(request, _("已退回，并通知村里修改。"))
                elif action == "approve":
                    services.report_approve(actor=request.user, report=report, comment=comment)
                    messages.success(request, _("报告已通过。"))
                else:
                    services.report_reopen(actor=request.user, report=report, comment=comment)
                    messages.success(request, _("报告已重新打开，操作已记录。"))
                return redirect(report)
        except ValidationError as error:
            if action in ("approve", "return", "reopen") and not hasattr(error, "error_dict"):
                # Someone acted first, or the state does not allow it: say so in words.
                messages.error(request, "；".join(error.messages))
                return redirect(report)
            apply_errors(comment_form if action in ("return", "reopen") else form, error)
        report.refresh_from_db()
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
            and services.report_submitter_id(report) != request.user.pk,
            "can_reopen": can_reopen and report.status == ReportStatus.APPROVED,
            "events": report.events.select_related("actor"),
            "evidence": report.evidence.all(),
        },
    )


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence is served only to people who may see its village (never from the web root)."""
    evidence = get_object_or_404(Evidence.objects.for_user(request.user), pk=pk)
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response


#: files kept on records, served like evidence: (model, file field) by URL kind
ATTACHMENTS = {
    "agreement": (Agreement, "scan"),
    "finding": (Finding, "evidence"),
    "meeting": (Meeting, "photo"),
    "party-day": (PartyDayActivity, "photo"),
}


@login_required
def attachment(request: HttpRequest, kind: str, pk: int) -> FileResponse:
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


# ---------------------------------------------------------------------------
# Working records
# ---------------------------------------------------------------------------
@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    # The meetings, their villages and their follow-up findings, each within the scope:
    # a secretary sees the meetings of their village, which of their villages took part,
    # and their own follow-ups, never another village's.
    items = (
        Meeting.objects.for_user(request.user)
        .select_related("host")
        .prefetch_related(
            Prefetch("villages", queryset=Village.objects.for_user(request.user)),
            Prefetch("follow_ups", queryset=Finding.objects.for_user(request.user)),
        )
    )
    return render(
        request,
        "belt/meetings.html",
        {
            "meetings": items[:100],
            "visible": set(Village.objects.for_user(request.user).values_list("pk", flat=True)),
            "can_add": request.user.has_perm("demonstration_belt.add_meeting"),
        },
    )


@login_required
def findings(request: HttpRequest) -> HttpResponse:
    items = Finding.objects.for_user(request.user).select_related(
        "village", "inspection", "meeting"
    )
    if fmt := tabular.export_format(request):
        return tabular.download(
            tabular.sheet_of("问题整改", exports.FINDINGS, items), "问题整改台账", fmt
        )
    if request.method == "POST":
        finding = get_object_or_404(items, pk=request.POST.get("finding"))
        form = FindingForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.finding_advance(
                    actor=request.user,
                    finding=finding,
                    to=form.cleaned_data["to"],
                    rectification=form.cleaned_data["rectification"],
                    evidence=form.cleaned_data["evidence"],
                )
            except (ValidationError, PermissionDenied) as error:
                refusal_as_message(request, error)
            else:
                messages.success(request, _("已更新。"))
        else:
            errors_as_messages(request, form)
        return redirect("belt:findings")
    today = clock.today()
    return render(
        request,
        "belt/findings.html",
        {
            "findings": items.order_by("status", "deadline")[:300],
            "today": today,
            "form": FindingForm(),
        },
    )


@login_required
def suggestions(request: HttpRequest) -> HttpResponse:
    items = Suggestion.objects.for_user(request.user).select_related("village")
    if fmt := tabular.export_format(request):
        return tabular.download(
            tabular.sheet_of("党员建议", exports.SUGGESTIONS, items), "党员建议", fmt
        )
    if request.method == "POST":
        suggestion = get_object_or_404(items, pk=request.POST.get("suggestion"))
        form = SuggestionForm(request.POST, instance=Suggestion.objects.get(pk=suggestion.pk))
        if form.is_valid():
            try:
                services.suggestion_update(
                    actor=request.user,
                    suggestion=suggestion,
                    status=form.cleaned_data["status"],
                    reply=form.cleaned_data["reply"],
                    decline_reason=form.cleaned_data["decline_reason"],
                )
            except (ValidationError, PermissionDenied) as error:
                refusal_as_message(request, error)
            else:
                messages.success(request, _("已更新。"))
        return redirect("belt:suggestions")
    return render(
        request,
        "belt/suggestions.html",
        {"suggestions": items[:300], "today": clock.today(), "form": SuggestionForm()},
    )


@login_required
def party_days(request: HttpRequest) -> HttpResponse:
    items = (
        PartyDayActivity.objects.for_user(request.user)
        .select_related("village")
        .prefetch_related("methods")
    )
    return render(request, "belt/party_days.html", {"activities": items[:200]})


@login_required
def center_checks(request: HttpRequest) -> HttpResponse:
    checks = (
        ServiceCenterCheck.objects.for_user(request.user)
        .select_related("village")
        .prefetch_related("results__item")
    )
    return render(request, "belt/center_checks.html", {"checks": checks[:100]})


def _record_form_view(request, form_class, *, template_title, success_url, create, initial=None):
    """Create one working record (party day, suggestion, finding, meeting) from a page."""
    kwargs = {} if form_class is MeetingForm else {"user": request.user}
    form = form_class(request.POST or None, request.FILES or None, initial=initial or {}, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            create(actor=request.user, form=form)
        except PermissionDenied:
            form.add_error(None, _("您无权为该村登记此记录。"))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已登记。"))
            return redirect(success_url)
    return render(request, "belt/record_form.html", {"form": form, "title": template_title})


@login_required
def party_day_new(request: HttpRequest) -> HttpResponse:
    return _record_form_view(
        request,
        PartyDayForm,
        template_title=_("登记主题党日"),
        success_url="belt:party_days",
        create=services.record_create,
        initial={"held_on": clock.today()},
    )


@login_required
def suggestion_new(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    return _record_form_view(
        request,
        SuggestionCreateForm,
        template_title=_("登记党员建议"),
        success_url="belt:suggestions",
        create=services.record_create,
        initial={"received_on": today, "due_on": today + dt.timedelta(days=30)},
    )


@login_required
def finding_new(request: HttpRequest) -> HttpResponse:
    return _record_form_view(
        request,
        FindingCreateForm,
        template_title=_("登记问题（整改事项）"),
        success_url="belt:findings",
        create=services.record_create,
    )


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("demonstration_belt.add_meeting"):
        raise PermissionDenied
    return _record_form_view(
        request,
        MeetingForm,
        template_title=_("登记会议活动"),
        success_url="belt:meetings",
        create=services.meeting_create,
        initial={"held_on": clock.today()},
    )


@login_required
def economy_comparison(request: HttpRequest) -> HttpResponse:
    """Belt vs other villages: per-capita net income year on year, weak villages over time."""
    this_year = clock.today().year
    years = [this_year - 2, this_year - 1, this_year]
    villages = Village.objects.for_user(request.user)
    return render(
        request,
        "belt/economy.html",
        {
            "comparisons": selectors.belt_income_comparison(years[:2], villages),
            "weak": selectors.weak_villages_by_year(years, villages),
            "scope": scope_label(request.user),
        },
    )


@login_required
def targets_export(request: HttpRequest) -> HttpResponse:
    """Every target in the user's scope, with Chinese headers (re-importable)."""
    from demonstration_belt.models import Target

    targets = Target.objects.for_user(request.user).select_related("plan__village")
    if (year := params.year(request.GET, default=None)) is not None:
        targets = targets.filter(plan__year=year)
    return tabular.download(
        tabular.sheet_of("创建目标", exports.TARGETS, targets),
        "创建目标",
        tabular.export_format(request) or "xlsx",
    )


@login_required
def targets_import(request: HttpRequest) -> HttpResponse:
    """Targets and plans from Excel, keyed on village code; all rows checked first."""
    if not sees_all_villages(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context, done = tabular.two_step_import(
        request,
        form,
        session_key="targets_import",
        resource_for=lambda _options: resources.TargetResource(user=request.user),
    )
    if context.get("expired"):
        messages.error(request, _("导入已过期，请重新上传。"))
        return redirect("belt:targets_import")
    if done:
        messages.success(request, _("已导入 %(n)s 个目标。") % {"n": done.rows})
        return redirect("belt:overview")
    return render(request, "belt/targets_import.html", context)
