"""Device endpoints, mounted at the site root (devices cannot be configured with a prefix
beyond the protocol's own ``/iclock/``)."""

from django.urls import path

from attendance.endpoints import hikvision, zkteco

urlpatterns = [
    path("iclock/cdata", zkteco.iclock_cdata, name="iclock_cdata"),
    path("iclock/getrequest", zkteco.iclock_getrequest, name="iclock_getrequest"),
    path("iclock/devicecmd", zkteco.iclock_devicecmd, name="iclock_devicecmd"),
    path("iclock/ping", zkteco.iclock_ping, name="iclock_ping"),
    path("iclock/registry", zkteco.iclock_registry, name="iclock_registry"),
    path("iclock/push", zkteco.iclock_push, name="iclock_push"),
    path("hik/events/<str:token>/", hikvision.hik_events, name="hik_events"),
]
