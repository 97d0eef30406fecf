"""The registry's read API, the only module of ``villages`` other apps import.

It publishes the shared kernel every app stands on: the registry's models as types
(``Village``, ``Cadre``, ``CadrePosition``) and the scoped queryset base, who a user is
(``role_of``), which villages and cadres they see, how to name that set truthfully,
the cadre-structure figures, and the change history.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from jinhu.core import clock
from villages.core.cadre_structure import (
    FIGURES,
    Person,
    TermComparison,
    TermStructure,
    summarise,
)
from villages.models import (
    REVIEWER_ROLES,
    VILLAGE_ROLES,
    Cadre,
    CadrePosition,
    Role,
    ScopedQuerySet,
    Term,
    Village,
    VillageAssignment,
    role_of,
    sees_all_villages,
)

__all__ = [
    "FIGURES",
    "REVIEWER_ROLES",
    "SIGN_IN",
    "SIGN_IN_FAILED",
    "VILLAGE_ROLES",
    "Cadre",
    "CadrePosition",
    "CountedPerson",
    "Role",
    "ScopedQuerySet",
    "TermComparison",
    "TermStructure",
    "Village",
    "VillageAssignment",
    "audited_kinds",
    "cadres_for",
    "compare_terms",
    "describe",
    "display_name",
    "entries",
    "figure_people",
    "role_of",
    "scope_label",
    "sees_all_villages",
    "term_structure",
    "village_model",
    "village_or_404",
    "villages_for",
]

#: the kinds of sign-in entry in the change history
SIGN_IN, SIGN_IN_FAILED = "sign_in", "sign_in_failed"
ACTION_WORDS = {0: "新增", 1: "修改", 2: "删除", 3: "访问"}


def village_model() -> type[Village]:
    return apps.get_model("villages", "Village")


def villages_for(user: Any) -> QuerySet[Village]:
    """The active villages ``user`` sees (``for_user``), in the registry's order."""
    return Village.objects.for_user(user).active()


def village_or_404(user: Any, code: str) -> Village:
    """The village with ``code`` if ``user`` sees it; another village is a 404."""
    return get_object_or_404(Village.objects.for_user(user), code=code)


def cadres_for(user: Any) -> QuerySet[Cadre]:
    """The serving cadres of the villages ``user`` sees."""
    return Cadre.objects.for_user(user).filter(is_active=True)


def display_name(user) -> str:
    """A person as the pages show them: their name, never their login."""
    if user is None:
        return "—"
    profile = getattr(user, "profile", None)
    name = getattr(profile, "display_name", "") if profile is not None else ""
    return name or user.get_full_name() or user.username


def scope_label(user, villages=None) -> str:
    """What a figure computed over the user's villages summarises, in words.

    Sub-district staff: 全街道. One village: its name. Several: 所联系的 N 个村（社区）.
    A figure must never be labelled 全街道 when it summarises one village.
    """
    if sees_all_villages(user):
        return "全街道"
    if villages is None:
        villages = Village.objects.for_user(user).active()
    names = [v.name for v in villages]
    if len(names) == 1:
        return names[0]
    if not names:
        return "（无村（社区））"
    return f"所联系的 {len(names)} 个村（社区）"


# ---------------------------------------------------------------------------
# Cadre structure (seed-summary row 10)
# ---------------------------------------------------------------------------
def _term_people(term: Term, villages: Any = None) -> list[tuple[Person, CadrePosition]]:
    """Each member of the party organisations in ``term``, once, with the post that
    decides how they count: the first a person held in the term, a secretary's post
    first (``villages`` optionally restricts to a queryset of villages)."""
    positions = (
        CadrePosition.objects.filter(term=term, title__in=CadrePosition.PARTY_TITLES)
        .select_related("cadre", "village")
        .order_by("cadre_id", "starts_on")
    )
    if villages is not None:
        positions = positions.filter(village__in=villages)
    people: dict[int, tuple[Person, CadrePosition]] = {}
    for position in positions:
        cadre = position.cadre
        is_secretary = position.title == CadrePosition.Title.PARTY_SECRETARY
        known = people.get(cadre.pk)
        if known is None or (is_secretary and not known[0].is_secretary):
            person = Person(
                cadre_id=cadre.pk,
                age=cadre.age_on(term.starts_on),
                education=cadre.education,
                is_secretary=is_secretary,
            )
            people[cadre.pk] = (person, position)
    return list(people.values())


def term_structure(term: Term, villages: Any = None) -> TermStructure:
    """Structure of the party organisations' members in ``term``: each person counted
    once per term even if they held two party posts."""
    return summarise(term, [person for person, _post in _term_people(term, villages)])


@dataclass(frozen=True)
class CountedPerson:
    """A person behind a structure figure: who, where, which post, age, education."""

    cadre: Cadre
    village: Village
    post: str
    age: int
    education: str


def figure_people(term: Term, figure: str, villages: Any = None) -> list[CountedPerson]:
    """The people a figure of the structure table counts (``FIGURES``), youngest first:
    their number is the figure, and their average age the average shown."""
    _label, counts = FIGURES[figure]
    rows = [
        CountedPerson(
            cadre=post.cadre,
            village=post.village,
            post=str(post.get_title_display()),
            age=person.age,
            education=str(post.cadre.get_education_display()),
        )
        for person, post in _term_people(term, villages)
        if counts(person)
    ]
    return sorted(rows, key=lambda r: (r.age, r.village.sort_order, r.cadre.name))


def compare_terms(villages: Any = None) -> TermComparison | None:
    """The latest term against the one before it."""
    terms = list(Term.objects.order_by("-number")[:2])
    if not terms:
        return None
    current = term_structure(terms[0], villages)
    previous = term_structure(terms[1], villages) if len(terms) > 1 else None
    return TermComparison(current=current, previous=previous)


# ---------------------------------------------------------------------------
# The change history (操作日志)
# ---------------------------------------------------------------------------
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
            if not _empty_relation(values)
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
        "village": villages.get(data.get("village") or 0, ""),
        "kind": kind,
        # (A successful sign-in is the person's own account: named like the person. A
        # failed one keeps the user name that was typed: that is the evidence.)
        "object": person if event == SIGN_IN and person else entry.object_repr,
        "action": action,
        "changes": changes,
    }


#: how django-auditlog writes a related manager with nothing in it ("app.Model.None")
_EMPTY_RELATION = re.compile(r"^\w+\.\w+\.None$")
_WORDS = {"True": "是", "False": "否"}


def _empty_relation(values: Any) -> bool:
    """A reverse relation's "change" at creation: nothing a person entered."""
    values = values if isinstance(values, list | tuple) else [values]
    return all(v in (None, "", "None") or _EMPTY_RELATION.match(str(v)) for v in values)


def _short(value, limit: int = 80) -> str:
    text = "—" if value in (None, "", "None") else _WORDS.get(str(value), str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"
