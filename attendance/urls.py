from django.urls import path

from attendance import views

app_name = "attendance"

urlpatterns = [
    path("absences/", views.absence_list, name="absences"),
    path("absences/new/", views.absence_new, name="absence_new"),
    path("absences/<int:pk>/", views.absence_detail, name="absence"),
    path("dutylog/", views.dutylog_totals, name="dutylog_totals"),
    path("dutylog/entries/", views.dutylog_entries, name="dutylog_entries"),
    path("patrols/", views.patrol_list, name="patrols"),
    path("patrols/<int:pk>/confirm/", views.finding_confirm, name="finding_confirm"),
    path("<slug:code>/roster/", views.roster, name="roster"),
    path("<slug:code>/coverage/", views.coverage, name="coverage"),
    path("<slug:code>/dutylog/", views.dutylog, name="dutylog"),
]
