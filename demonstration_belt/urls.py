from django.urls import path

from demonstration_belt import views, views_scores

app_name = "belt"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("plans/<slug:code>/<int:year>/", views.plan, name="plan"),
    path("agreements/<int:pk>/", views.agreement, name="agreement"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<slug:code>/<int:year>/<int:month>/", views.report_open, name="report_open"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("files/<slug:kind>/<int:pk>/", views.attachment, name="attachment"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("findings/new/", views.finding_new, name="finding_new"),
    path("suggestions/new/", views.suggestion_new, name="suggestion_new"),
    path("party-days/new/", views.party_day_new, name="party_day_new"),
    path("findings/", views.findings, name="findings"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("party-days/", views.party_days, name="party_days"),
    path("center-checks/", views.center_checks, name="center_checks"),
    path("economy/", views.economy_comparison, name="economy"),
    path("targets/import/", views.targets_import, name="targets_import"),
    path("targets/export.xlsx", views.targets_export, name="targets_export"),
    path("dashboard/", views_scores.board, name="dashboard"),
    path("figures/", views_scores.figures, name="figures"),
    path("bulletin/", views_scores.bulletin, name="bulletin"),
    path("proposals/", views_scores.proposals, name="proposals"),
    path("scores/<slug:code>/", views_scores.village_score, name="village_score"),
]
