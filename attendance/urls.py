from django.urls import path

from attendance import views, views_devices

app_name = "attendance"

urlpatterns = [
    path("absences/", views.absence_list, name="absences"),
    path("absences/new/", views.absence_new, name="absence_new"),
    path("absences/<int:pk>/", views.absence_detail, name="absence"),
    path("dutylog/", views.dutylog_totals, name="dutylog_totals"),
    path("dutylog/entries/", views.dutylog_entries, name="dutylog_entries"),
    path("patrols/", views.patrol_list, name="patrols"),
    path("patrols/<int:pk>/confirm/", views.finding_confirm, name="finding_confirm"),
    path("devices/", views_devices.device_list, name="devices"),
    path("devices/register/", views_devices.device_register_view, name="device_register"),
    path("devices/quarantine/", views_devices.quarantine, name="quarantine"),
    path("devices/unmatched/", views_devices.unmatched, name="unmatched"),
    path("devices/review/", views_devices.review, name="review"),
    path("devices/<int:pk>/", views_devices.device_detail, name="device"),
    path("devices/<int:pk>/assign/", views_devices.device_assign, name="device_assign"),
    path("compliance/", views_devices.compliance, name="compliance"),
    path("holidays/", views.holidays, name="holidays"),
    path("slots/<int:pk>/correct/", views_devices.slot_correct, name="slot_correct"),
    path(
        "corrections/<int:pk>/decide/",
        views_devices.correction_decide_view,
        name="correction_decide",
    ),
    path("<slug:code>/compliance/", views_devices.village_compliance, name="village_compliance"),
    path("<slug:code>/roster/", views.roster, name="roster"),
    path("<slug:code>/coverage/", views.coverage, name="coverage"),
    path("<slug:code>/dutylog/", views.dutylog, name="dutylog"),
]
