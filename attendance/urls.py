"""The duty system's addresses: staff pages (``urlpatterns``, under ``/attendance/``),
the residents' public duty pages (``public_urlpatterns``, under ``/duty/``, namespace
``duty``) and the device endpoints (``device_urlpatterns``, at the site root: devices
cannot be configured with a prefix beyond the protocol's own ``/iclock/``)."""

from django.urls import path

from attendance.endpoints import hikvision, zkteco
from attendance.views import absences, compliance, devices, dutylog, patrols, public, rosters

app_name = "attendance"

urlpatterns = [
    path("absences/", absences.absence_list, name="absences"),
    path("absences/new/", absences.absence_new, name="absence_new"),
    path("absences/<int:pk>/", absences.absence_detail, name="absence"),
    path("dutylog/", dutylog.dutylog_totals, name="dutylog_totals"),
    path("dutylog/entries/", dutylog.dutylog_entries, name="dutylog_entries"),
    path("patrols/", patrols.patrol_list, name="patrols"),
    path("patrols/<int:pk>/confirm/", patrols.finding_confirm, name="finding_confirm"),
    path("devices/", devices.device_list, name="devices"),
    path("devices/register/", devices.device_register_view, name="device_register"),
    path("devices/quarantine/", devices.quarantine, name="quarantine"),
    path("devices/unmatched/", devices.unmatched, name="unmatched"),
    path("devices/review/", devices.review, name="review"),
    path("devices/<int:pk>/", devices.device_detail, name="device"),
    path("devices/<int:pk>/assign/", devices.device_assign, name="device_assign"),
    path("compliance/", compliance.compliance, name="compliance"),
    path("compliance/cadres/", compliance.cadre_promises, name="cadre_promises"),
    path("cadres/<int:pk>/compliance/", compliance.cadre_compliance, name="cadre_compliance"),
    path("holidays/", rosters.holidays, name="holidays"),
    path("slots/<int:pk>/correct/", compliance.slot_correct, name="slot_correct"),
    path(
        "corrections/<int:pk>/decide/",
        compliance.correction_decide_view,
        name="correction_decide",
    ),
    path("<slug:code>/compliance/", compliance.village_compliance, name="village_compliance"),
    path("<slug:code>/roster/", rosters.roster, name="roster"),
    path("<slug:code>/coverage/", rosters.coverage, name="coverage"),
    path("<slug:code>/dutylog/", dutylog.dutylog, name="dutylog"),
]

public_urlpatterns = [
    path("", public.index, name="index"),
    path("<slug:code>.ics", public.ics_feed, name="ics"),
    path("<slug:code>/", public.village_page, name="village"),
    path("<slug:code>/poster/", public.poster, name="poster"),
    path("<slug:code>/qr.svg", public.qr_svg, name="qr"),
    path("<slug:code>/photo/<int:cadre_id>/", public.cadre_photo, name="photo"),
]

device_urlpatterns = [
    path("iclock/cdata", zkteco.iclock_cdata, name="iclock_cdata"),
    path("iclock/getrequest", zkteco.iclock_getrequest, name="iclock_getrequest"),
    path("iclock/devicecmd", zkteco.iclock_devicecmd, name="iclock_devicecmd"),
    path("iclock/ping", zkteco.iclock_ping, name="iclock_ping"),
    path("iclock/registry", zkteco.iclock_registry, name="iclock_registry"),
    path("iclock/push", zkteco.iclock_push, name="iclock_push"),
    path("hik/events/<str:token>/", hikvision.hik_events, name="hik_events"),
]
