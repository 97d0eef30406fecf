"""Scores: the dashboard, the headline figures, a village's score page (with reviewer
scores), the bulletin, and award proposals and 约谈."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from demonstration_belt import exports, selectors
from demonstration_belt.forms import AdmonishmentForm, ProposalDecisionForm, ReviewerScoreForm
from demonstration_belt.models import (
    Admonishment,
    Proposal,
    ReviewerScore,
    ReviewerScoreEntry,
    VillageScore,
)
from demonstration_belt.services import scores
from jinhu.core import clock, params, periods, tabular
from jinhu.core.forms import errors_as_messages, refusal_as_message
from jinhu.core.requests import AuthedRequest
from villages.selectors import Village, scope_label


def _period(request: HttpRequest) -> tuple[int, int]:
    """The year and month a score page shows: by default the last complete month
    (in January, December of last year); ``month=0`` is the whole year."""
    default = periods.last_complete_month(clock.today())
    year = params.year(request.GET, default=default.year)
    month = params.month(
        request.GET,
        default=default.month if year == default.year else 0,
        allow_whole_year=True,
    )
    return year, month


@login_required
def board(request: AuthedRequest) -> HttpResponse:
    """The belt on one screen (staff see all; instructors their villages side by side)."""
    year, month = _period(request)
    villages = Village.objects.for_user(request.user).active()
    # The charts show the belt (or, for someone outside it, their own villages): one
    # screen stays readable, and its cost does not grow with the city.
    focus = selectors.focus_villages(villages)
    focus_ids = {v.pk for v in focus}
    ranking = selectors.standings(year, month)
    rows = selectors.scoreboard(
        villages, year, month, details_for=focus_ids, top=selectors.TOP, ranking=ranking
    )
    charts = {
        "trend": selectors.trend(focus, year),
        "radar": selectors.radar([r for r in rows if r["score"].village_id in focus_ids]),
        "heatmap": selectors.heatmap(focus, year, month),
    }
    economy = selectors.headline_figures(villages, year)
    shown = [r for r in rows if r["in_top"] or r["in_belt"]]
    return render(
        request,
        "belt/dashboard.html",
        {
            "ranked": ranking[2],
            "year": year,
            "month": month,
            "provisional": selectors.is_provisional(year, month),
            "deadline": selectors.report_due_on(year, month or 12),
            "scope": scope_label(request.user, villages),
            "rows": shown,
            "ties_left_out": selectors.ties_left_out(shown),
            "top": selectors.TOP,
            "charts": charts,
            "open": selectors.open_items(villages),
            "economy": economy,
            "months": range(0, 13),
        },
    )


@login_required
def figures(request: AuthedRequest) -> HttpResponse:
    year = params.year(request.GET, default=clock.today().year)
    villages = Village.objects.for_user(request.user).active()
    return render(
        request,
        "belt/figures.html",
        {
            "year": year,
            "figures": selectors.headline_figures(villages, year),
            "scope": scope_label(request.user, villages),
        },
    )


@login_required
def village_score(request: AuthedRequest, code: str) -> HttpResponse:
    """A village's score: where points were lost and why, what is due, its history."""
    village = get_object_or_404(Village.objects.for_user(request.user), code=code)
    year, month = _period(request)
    score = VillageScore.objects.filter(village=village, year=year, month=month).first()
    reviewer = {}
    lines = selectors.breakdown_of(score) if score else []
    if score:
        rows = (
            ReviewerScore.objects.for_user(request.user)
            .filter(indicator_id__in=[line["indicator"] for line in lines], month=month)
            .select_related("scored_by__profile", "approved_by__profile")
            .prefetch_related(
                Prefetch(
                    "entries",
                    queryset=ReviewerScoreEntry.objects.for_user(request.user).select_related(
                        "by__profile"
                    ),
                )
            )
        )
        for row in rows:
            # The entry the approver is shown: an approval names it (a re-entry since is
            # refused). Taken from the prefetched list, newest last.
            row.latest_entry = max(row.entries.all(), key=lambda e: (e.at, e.pk), default=None)
            reviewer[row.indicator_id] = row
    can_review = request.user.has_perm("demonstration_belt.review_report", village)
    if request.method == "POST" and can_review:
        form = ReviewerScoreForm(request.POST, village=village, year=year)
        if not form.is_valid():
            errors_as_messages(request, form)
            return redirect(f"{request.path}?year={year}&month={month}")
        data = form.cleaned_data
        try:
            if data["action"] == "approve":
                scores.reviewer_score_approve(
                    actor=request.user,
                    reviewer_score=get_object_or_404(
                        ReviewerScore.objects.for_user(request.user),
                        indicator=data["indicator"],
                        month=month,
                    ),
                    seen_entry=data["entry"],
                )
            else:
                scores.reviewer_score_enter(
                    actor=request.user,
                    indicator=data["indicator"],
                    month=month,
                    score=data["score"],
                    reason=data["reason"],
                )
        except (ValidationError, PermissionDenied) as error:
            refusal_as_message(request, error, default=_("评分不正确"))
        else:
            messages.success(request, _("已保存，得分已重算。"))
        return redirect(f"{request.path}?year={year}&month={month}")
    return render(
        request,
        "belt/village_score.html",
        {
            "village": village,
            "year": year,
            "month": month,
            "score": score,
            "lines": lines,
            "reviewer": reviewer,
            "can_review": can_review,
            "can_approve": request.user.has_perm("demonstration_belt.approve_reviewer_score"),
            "history": score.history.all()[:10] if score else [],
            "todo": selectors.todo_for(request.user),
            "proposals": Proposal.objects.filter(village=village).order_by("-year"),
            "admonishments": Admonishment.objects.filter(village=village).select_related(
                "inspection"
            ),
            "months": range(0, 13),
            "provisional": selectors.is_provisional(year, month),
            "deadline": selectors.report_due_on(year, month or 12),
        },
    )


@login_required
def bulletin(request: AuthedRequest) -> HttpResponse:
    """The monthly bulletin (通报): ranking, highlights, problems; print or Excel."""
    year, month = _period(request)
    villages = Village.objects.for_user(request.user).active()
    rows = selectors.scoreboard(villages, year, month)
    if fmt := tabular.export_format(request):
        name = f"{year}年{month}月示范带考核通报" if month else f"{year}年度示范带考核"
        sheets = exports.bulletin_sheets(rows)
        return tabular.download(sheets if fmt == "xlsx" else sheets[0], name, fmt)
    problems = []
    for r in rows:
        for line in r["breakdown"]:
            lost = Decimal(line["standard"]) - Decimal(line["final"])
            if lost > 0 and line["kind"] not in ("bonus",):
                problems.append((lost, r["score"].village.name, line["name"], line["reason"]))
    problems.sort(reverse=True)
    return render(
        request,
        "belt/bulletin.html",
        {
            "year": year,
            "month": month,
            "rows": rows,
            "highlights": rows[:3],
            "problems": problems[:10],
            "open": selectors.open_items(villages),
            "provisional": selectors.is_provisional(year, month),
            "deadline": selectors.report_due_on(year, month or 12),
            "scope": scope_label(request.user, villages),
        },
    )


@login_required
def proposals(request: AuthedRequest) -> HttpResponse:
    year = params.year(request.GET, default=clock.today().year)
    items = Proposal.objects.for_user(request.user).filter(year=year).select_related("village")
    can_decide = request.user.has_perm("demonstration_belt.decide_proposal")
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        admonishing = request.POST.get("action") == "admonishment"
        form_class = AdmonishmentForm if admonishing else ProposalDecisionForm
        form = form_class(request.POST, proposals=items)
        if not form.is_valid():
            errors_as_messages(request, form)
            return redirect(f"{request.path}?year={year}")
        data = form.cleaned_data
        try:
            if admonishing:
                scores.admonishment_record(
                    actor=request.user,
                    proposal=data["proposal"],
                    held_on=data["held_on"],
                    interviewer=data["interviewer"],
                    interviewees=data["interviewees"],
                    issues=data["issues"],
                    items=[
                        (text, data["interviewees"], data["deadline"]) for text in data["items"]
                    ],
                )
            else:
                scores.proposal_decide(
                    actor=request.user,
                    proposal=data["proposal"],
                    confirm=data["action"] == "confirm",
                    reason=data["reason"],
                )
        except (ValidationError, PermissionDenied) as error:
            refusal_as_message(request, error)
        else:
            messages.success(request, _("已保存。"))
        return redirect(f"{request.path}?year={year}")
    return render(
        request,
        "belt/proposals.html",
        {
            "year": year,
            "proposals": items,
            "can_decide": can_decide,
            "admonishments": Admonishment.objects.for_user(request.user)
            .filter(held_on__year__gte=year)
            .select_related("village", "inspection"),
            "today": clock.today(),
        },
    )
