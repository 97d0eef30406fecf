"""Cross-cutting request handling that imports no app."""

from __future__ import annotations

from django.shortcuts import render

from jinhu.core.params import BadParameter


class BadParameterMiddleware:
    """A malformed or out-of-range parameter is a 400 that says which and why."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadParameter):
            return render(
                request,
                "400.html",
                {"parameter": exception.name, "message": exception.message},
                status=400,
            )
        return None


class TrustedProxyMiddleware:
    """``REMOTE_ADDR`` becomes the client's address, believed from ``X-Forwarded-For``
    only when the direct peer is one of ``JINHU_TRUSTED_PROXIES`` (``jinhu.core.proxies``).

    The forwarding headers are then removed, so nothing downstream (login throttling,
    audit, device admission) can read a client-written address; ``X-Forwarded-Proto`` is
    kept only from a trusted proxy (otherwise any client could claim HTTPS). The peer a
    rewritten address came through is kept as ``JINHU_PROXY_PEER``. First in the stack.
    """

    def __init__(self, get_response) -> None:
        from django.conf import settings

        from jinhu.core import proxies

        self.get_response = get_response
        self.proxies = proxies
        self.trusted = proxies.networks(settings.JINHU_TRUSTED_PROXIES)

    def __call__(self, request):
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        forwarded_for = meta.pop("HTTP_X_FORWARDED_FOR", None)
        meta.pop("HTTP_FORWARDED", None)  # (RFC 7239: not used by our proxy; never believed)
        if self.proxies.is_trusted(self.proxies.parse_address(peer), self.trusted):
            meta["REMOTE_ADDR"] = self.proxies.client_address(peer, forwarded_for, self.trusted)
            meta["JINHU_PROXY_PEER"] = peer
        else:
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
            meta.pop("HTTP_X_FORWARDED_HOST", None)
        return self.get_response(request)


def client_address(request) -> str:
    """The client's address for django-axes (``AXES_CLIENT_IP_CALLABLE``): what
    ``TrustedProxyMiddleware`` left in ``REMOTE_ADDR``."""
    return request.META.get("REMOTE_ADDR", "")
