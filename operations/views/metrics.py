"""/metrics: the Prometheus endpoint, for configured addresses or a bearer token only."""

from __future__ import annotations

import hmac
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from jinhu.core import proxies
from jinhu.core.middleware import client_address
from operations import metrics as portal_metrics


@cache
def _allowed(values: tuple[str, ...]) -> tuple[proxies.Network, ...]:
    return proxies.networks(values)


def may_scrape(request: HttpRequest) -> bool:
    token = settings.JINHU_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[7:].strip().encode(), token.encode())
    address = proxies.parse_address(client_address(request))
    return proxies.is_trusted(address, _allowed(tuple(settings.JINHU_METRICS_ALLOWED)))


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_scrape(request):
        return HttpResponse(
            "未授权：请从 JINHU_METRICS_ALLOWED 中的地址访问，或携带 JINHU_METRICS_TOKEN。\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(
        generate_latest(portal_metrics.registry()), content_type=CONTENT_TYPE_LATEST
    )
