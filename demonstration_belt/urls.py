from django.urls import path

from demonstration_belt.views import plans, records, reports, scores

app_name = "belt"

urlpatterns = [
    path("", plans.overview, name="overview"),
    path("plans/<slug:code>/<int:year>/", plans.plan, name="plan"),
    path("agreements/<int:pk>/", plans.agreement, name="agreement"),
    path("reports/", reports.report_list, name="reports"),
    path("reports/<int:pk>/", reports.report_detail, name="report"),
    path("reports/<slug:code>/<int:year>/<int:month>/", reports.report_open, name="report_open"),
    path("evidence/<int:pk>/", reports.evidence_file, name="evidence"),
    path("files/<slug:kind>/<int:pk>/", reports.attachment, name="attachment"),
    path("meetings/", records.meetings, name="meetings"),
    path("meetings/new/", records.meeting_new, name="meeting_new"),
    path("findings/new/", records.finding_new, name="finding_new"),
    path("suggestions/new/", records.suggestion_new, name="suggestion_new"),
    path("party-days/new/", records.party_day_new, name="party_day_new"),
    path("findings/", records.findings, name="findings"),
    path("suggestions/", records.suggestions, name="suggestions"),
    path("party-days/", records.party_days, name="party_days"),
    path("center-checks/", records.center_checks, name="center_checks"),
    path("economy/", plans.economy_comparison, name="economy"),
    path("targets/import/", plans.targets_import, name="targets_import"),
    path("targets/export.xlsx", plans.targets_export, name="targets_export"),
    path("dashboard/", scores.board, name="dashboard"),
    path("figures/", scores.figures, name="figures"),
    path("bulletin/", scores.bulletin, name="bulletin"),
    path("proposals/", scores.proposals, name="proposals"),
    path("scores/<slug:code>/", scores.village_score, name="village_score"),
]
