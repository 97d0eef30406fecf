"""Cross-app pages: the home dashboard and the health check.

Only ``jinhu/urls.py`` imports this module, so it may read every app.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from demonstration_belt import selectors as belt_selectors
from demonstration_belt.selectors import todo_for
from jinhu.core.requests import AuthedRequest
from villages.selectors import Role, Village, role_of

log = logging.getLogger(__name__)


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    villages = Village.objects.for_user(request.user).active().select_related("party_organization")
    role = role_of(request.user)
    months = belt_selectors.report_months(request.user)
    return render(
        request,
        "home.html",
        {
            "villages": villages,
            "role_label": Role(role).label if role else "",
            "todo": todo_for(request.user),
            "report_months": months[:3],
            "more_months": len(months) > 3,
            "several_villages": len({row.village.pk for row in months}) > 1,
        },
    )


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_redis() -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


#: what each failed check means for the people using the portal, in words
CONSEQUENCES = {
    "database": "数据库无法连接：页面和设备上传都无法保存。",
    "redis": (
        "Redis 无法连接：设备上传照常接收并保存，解析和判定在 Redis 恢复后自动补做；"
        "页面不经缓存直接生成。"
    ),
}


def robots_txt(request: HttpRequest) -> HttpResponse:
    """Keep crawlers out of the portal; the public duty pages are for residents' phones."""
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and Redis, when configured) answer; else 503 with the reason.

    Load balancers and docker-compose health checks poll this. A failed check names
    the dependency, the kind of error, and what it means for users; no addresses or
    credentials.
    """
    checks = {"database": _check_database}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis
    results: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:
            log.warning("health check %s failed: %s", name, exc)
            results[name] = "error"
            reasons[name] = f"{type(exc).__name__}. {CONSEQUENCES[name]}"
        else:
            results[name] = "ok"
    body: dict = {"status": "error" if reasons else "ok", "checks": results}
    if reasons:
        body["reasons"] = reasons
    return JsonResponse(
        body, status=503 if reasons else 200, json_dumps_params={"ensure_ascii": False}
    )


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for before reading the page's icon link."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
