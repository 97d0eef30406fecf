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

from django.conf import settings

from jinhu.core import clock

AUDIT_MIN_KEEP_DAYS = 180
SIGN_IN, SIGN_IN_FAILED = "sign_in", "sign_in_failed"


def _village_getter(model, village: str | None):
    """A function from an instance to its village id, following ``village`` (a lookup
    path such as ``report__village``), or the model's scoped-queryset path."""
    from villages.models import ScopedQuerySet, Village

    if model is Village:
        return lambda instance: instance.pk
    if village is None:
        queryset = model._default_manager.get_queryset()
        if isinstance(queryset, ScopedQuerySet) and not queryset.many:
            village = queryset.village_path
        elif any(f.name == "village" for f in model._meta.concrete_fields):
            village = "village"
    if village is None:
        return lambda instance: None
    parts = village.split("__")

    def village_of(instance):
        value = instance
        for part in parts[:-1]:
            value = getattr(value, part, None)
            if value is None:
                return None
        return getattr(value, f"{parts[-1]}_id", None)

    return village_of


def register(model, *, village: str | None = None, **options) -> None:
    """Audit ``model`` (options as ``auditlog.register``), with its village recorded."""
    from auditlog.registry import auditlog

    village_of = _village_getter(model, village)

    def get_additional_data(self):
        try:
            village_id = village_of(self)
        except Exception:  # (a half-deleted relation must never stop the save)
            village_id = None
        return {"village": village_id} if village_id is not None else None

    model.get_additional_data = get_additional_data
    auditlog.register(model, **options)


# ---------------------------------------------------------------------------
# Sign-ins
# ---------------------------------------------------------------------------
def _request_meta(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    return request.META.get("REMOTE_ADDR") or None, request.META.get("HTTP_USER_AGENT", "")[:200]


def sign_in_record(*, user=None, username: str = "", request=None, ok: bool, reason: str = ""):
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


def _signed_in(sender, request, user, **kwargs):
    sign_in_record(user=user, request=request, ok=True)


def _sign_in_failed(sender, credentials, request=None, **kwargs):
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
    return deleted


# ---------------------------------------------------------------------------
# Reading: the 操作日志 page and its export
# ---------------------------------------------------------------------------
ACTION_WORDS = {0: "新增", 1: "修改", 2: "删除", 3: "访问"}


def audited_kinds() -> list[tuple[str, str]]:
    """The kinds the log can be filtered by: sign-ins, then every audited model."""
    from auditlog.registry import auditlog
    from django.contrib.contenttypes.models import ContentType

    kinds = [(SIGN_IN, "登录成功"), (SIGN_IN_FAILED, "登录失败")]
    models = sorted(auditlog.get_models(), key=lambda m: str(m._meta.verbose_name))
    for model in models:
        content_type = ContentType.objects.get_for_model(model)
        kinds.append((str(content_type.pk), str(model._meta.verbose_name)))
    return kinds


def entries(*, person=None, village=None, kind: str = "", start=None, end=None):
    """Log entries, newest first, filtered; ``start``/``end`` are local dates (inclusive)."""
    from auditlog.models import LogEntry
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    rows = LogEntry.objects.select_related("actor__profile", "content_type").order_by(
        "-timestamp", "-pk"
    )
    if person is not None:
        user_type = ContentType.objects.get_for_model(get_user_model())
        rows = rows.filter(
            Q(actor=person)
            | Q(action=LogEntry.Action.ACCESS, content_type=user_type, object_id=person.pk)
        )
    if village is not None:
        rows = rows.filter(additional_data__village=village.pk)
    if kind in (SIGN_IN, SIGN_IN_FAILED):
        rows = rows.filter(action=LogEntry.Action.ACCESS, additional_data__event=kind)
    elif kind:
        rows = rows.filter(content_type_id=int(kind)).exclude(action=LogEntry.Action.ACCESS)
    if start is not None:
        rows = rows.filter(timestamp__gte=clock.start_of_day(start))
    if end is not None:
        rows = rows.filter(timestamp__lt=clock.start_of_day(end + dt.timedelta(days=1)))
    return rows


def describe(entry, villages: dict[int, str]) -> dict:
    """One entry in words: who, where from, which village, what, which change."""
    data = entry.additional_data or {}
    event = data.get("event")
    if event in (SIGN_IN, SIGN_IN_FAILED):
        action = "登录成功" if event == SIGN_IN else f"登录失败（{data.get('reason') or '—'}）"
        kind = "登录"
        changes = ""
    else:
        action = ACTION_WORDS.get(entry.action, str(entry.action))
        model = entry.content_type.model_class() if entry.content_type_id else None
        kind = str(model._meta.verbose_name) if model else entry.content_type.name
        changes = "；".join(
            f"{field}：{_short(values[0])} → {_short(values[1])}"
            if isinstance(values, list | tuple) and len(values) == 2
            else f"{field}：{_short(values)}"
            for field, values in (entry.changes_display_dict or {}).items()
        )
    actor = entry.actor
    person = ""
    if actor is not None:
        profile = getattr(actor, "profile", None)
        person = profile.display_name if profile else actor.get_username()
    return {
        "at": entry.timestamp,
        "person": person or ("—" if event != SIGN_IN_FAILED else entry.object_repr),
        "address": entry.remote_addr or "",
        "village": villages.get(data.get("village"), ""),
        "kind": kind,
        "object": entry.object_repr,
        "action": action,
        "changes": changes,
    }


def _short(value, limit: int = 80) -> str:
    text = "—" if value in (None, "", "None") else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
