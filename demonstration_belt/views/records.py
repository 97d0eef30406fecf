"""The working records: meetings, findings, suggestions, party days and service-centre
checks, their lists and the forms that record them."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from demonstration_belt import exports
from demonstration_belt.forms import (
    FindingCreateForm,
    FindingForm,
    MeetingForm,
    PartyDayForm,
    SuggestionCreateForm,
    SuggestionForm,
)
from demonstration_belt.models import (
    Finding,
    Meeting,
    PartyDayActivity,
    ServiceCenterCheck,
    Suggestion,
)
from demonstration_belt.services import records as records_service
from jinhu.core import clock, tabular
from jinhu.core.forms import apply_errors, errors_as_messages, refusal_as_message
from jinhu.core.requests import AuthedRequest
from villages.selectors import Village


# ---------------------------------------------------------------------------
# Working records
# ---------------------------------------------------------------------------
@login_required
def meetings(request: AuthedRequest) -> HttpResponse:
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
def findings(request: AuthedRequest) -> HttpResponse:
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
                records_service.finding_advance(
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
def suggestions(request: AuthedRequest) -> HttpResponse:
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
                records_service.suggestion_update(
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
def party_days(request: AuthedRequest) -> HttpResponse:
    items = (
        PartyDayActivity.objects.for_user(request.user)
        .select_related("village")
        .prefetch_related("methods")
    )
    return render(request, "belt/party_days.html", {"activities": items[:200]})


@login_required
def center_checks(request: AuthedRequest) -> HttpResponse:
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
def party_day_new(request: AuthedRequest) -> HttpResponse:
    return _record_form_view(
        request,
        PartyDayForm,
        template_title=_("登记主题党日"),
        success_url="belt:party_days",
        create=records_service.record_create,
        initial={"held_on": clock.today()},
    )


@login_required
def suggestion_new(request: AuthedRequest) -> HttpResponse:
    today = clock.today()
    return _record_form_view(
        request,
        SuggestionCreateForm,
        template_title=_("登记党员建议"),
        success_url="belt:suggestions",
        create=records_service.record_create,
        initial={"received_on": today, "due_on": today + dt.timedelta(days=30)},
    )


@login_required
def finding_new(request: AuthedRequest) -> HttpResponse:
    return _record_form_view(
        request,
        FindingCreateForm,
        template_title=_("登记问题（整改事项）"),
        success_url="belt:findings",
        create=records_service.record_create,
    )


@login_required
def meeting_new(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm("demonstration_belt.add_meeting"):
        raise PermissionDenied
    return _record_form_view(
        request,
        MeetingForm,
        template_title=_("登记会议活动"),
        success_url="belt:meetings",
        create=records_service.meeting_create,
        initial={"held_on": clock.today()},
    )
