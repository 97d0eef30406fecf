"""Device requests skip the browser's middleware.

A clock or a terminal has no session, no cookies, no CSRF token, no user, no
messages, and reads no HTML: sessions, authentication, CSRF, messages, the content
security policy, htmx, the audit actor and the login lockout have nothing to do for
``/iclock/`` and ``/hik/``, yet cost a fifth of a device request's time
(bench/device_ingest.py). This middleware sits right after the security and static
ones and serves those paths itself; everything else goes down the whole stack.
Devices authenticate in ``admission`` (serial number and source network, or the
token in the path); their rate limits live there too.
"""

from __future__ import annotations

from django.urls import resolve

DEVICE_PREFIXES = ("/iclock/", "/hik/")


class DeviceEndpointsMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(DEVICE_PREFIXES):
            match = resolve(request.path_info)  # Resolver404 → Django's 404
            return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)
