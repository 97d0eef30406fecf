"""Device endpoints, mounted at the site root (devices cannot be configured with a prefix
beyond the protocol's own ``/iclock/``)."""

from django.urls import path

from attendance import device_views

urlpatterns = [
    path("iclock/cdata", device_views.iclock_cdata, name="iclock_cdata"),
    path("iclock/getrequest", device_views.iclock_getrequest, name="iclock_getrequest"),
    path("iclock/devicecmd", device_views.iclock_devicecmd, name="iclock_devicecmd"),
    path("iclock/ping", device_views.iclock_ping, name="iclock_ping"),
    path("iclock/registry", device_views.iclock_registry, name="iclock_registry"),
    path("iclock/push", device_views.iclock_push, name="iclock_push"),
    path("hik/events/<str:token>/", device_views.hik_events, name="hik_events"),
]
