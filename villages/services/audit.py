"""The change history (操作日志): what every person changed, when, from where, and for
which village; and every sign-in, successful or not.

One stream, django-auditlog's ``LogEntry``:
- every model a person edits is registered through :func:`register`, which also puts
  the village the row belongs to in ``additional_data["village"]`` (found through the
  model's scoped-queryset path, e.g. ``report__village``), so the log can be filtered by
  village; append-only machine tables (raw device requests, punches, computed scores)
  are left out, and a test keeps the list of those explicit;
- sign-ins are ``ACCESS`` entries on the user (``additional_data["event"]``: ``sign_in``
  or ``sign_in_failed``; a failure for a user name that does not exist has no object).

Entries are kept at least ``AUDIT_MIN_KEEP_DAYS`` (180) days: :func:`prune` refuses a
shorter window (``manage.py prune_audit``; weekly in beat with ``JINHU_AUDIT_KEEP_DAYS``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from jinhu.core import clock
from villages.selectors import SIGN_IN, SIGN_IN_FAILED

AUDIT_MIN_KEEP_DAYS = 180


# ---------------------------------------------------------------------------
# Sign-ins
# ---------------------------------------------------------------------------
def _request_meta(request: HttpRequest | None) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    return request.META.get("REMOTE_ADDR") or None, request.META.get("HTTP_USER_AGENT", "")[:200]


def sign_in_record(
    *,
    user: Any = None,
    username: str = "",
    request: HttpRequest | None = None,
    ok: bool,
    reason: str = "",
) -> Any:
    """One sign-in (or failed attempt) in the change history."""
    from auditlog.models import LogEntry
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    address, agent = _request_meta(request)
    username = (username or (user.get_username() if user else ""))[:150]
    if user is None and username:
        user = get_user_model()._default_manager.filter(username=username).first()
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_pk=str(user.pk) if user else "",
        object_id=user.pk if user else None,
        object_repr=username or "（未填写用户名）",
        action=LogEntry.Action.ACCESS,
        actor=user if ok else None,
        remote_addr=address,
        changes_text="",
        changes={},
        additional_data={
            "event": SIGN_IN if ok else SIGN_IN_FAILED,
            "reason": reason,
            "user_agent": agent,
        },
        timestamp=clock.now(),
    )


def _signed_in(sender: object, request: HttpRequest, user: Any, **kwargs: object) -> None:
    sign_in_record(user=user, request=request, ok=True)


def _sign_in_failed(
    sender: object,
    credentials: dict[str, Any] | None,
    request: HttpRequest | None = None,
    **kwargs: object,
) -> None:
    username = (credentials or {}).get("username", "")
    locked = bool(request is not None and getattr(request, "axes_locked_out", False))
    sign_in_record(
        username=username,
        request=request,
        ok=False,
        reason="已锁定" if locked else "用户名或密码错误",
    )


def connect_signals() -> None:
    from django.contrib.auth.signals import user_logged_in, user_login_failed

    user_logged_in.connect(_signed_in, dispatch_uid="audit-sign-in")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit-sign-in-failed")


# ---------------------------------------------------------------------------
# Retention
# ---------------------------------------------------------------------------
def prune(*, keep_days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete entries older than ``keep_days`` (at least 180); returns how many."""
    from auditlog.models import LogEntry

    keep_days = settings.JINHU_AUDIT_KEEP_DAYS if keep_days is None else keep_days
    if keep_days < AUDIT_MIN_KEEP_DAYS:
        raise ValueError(f"操作日志至少保留 {AUDIT_MIN_KEEP_DAYS} 天（收到 {keep_days} 天）。")
    cutoff = (now or clock.now()) - dt.timedelta(days=keep_days)
    deleted, _by_model = LogEntry.objects.filter(timestamp__lt=cutoff).delete()
    return int(deleted)


# ---------------------------------------------------------------------------
# Reading: the 操作日志 page and its export
# ---------------------------------------------------------------------------
