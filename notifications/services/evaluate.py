"""The beat job's work: ask every enabled rule for its occasions, tell each person in its
audience who sees the village once, and queue the deliveries their channels ask for.

Idempotent: a person gets an occasion once (``Notification`` is unique per recipient and
key) and a channel sends it once (``Delivery`` is unique per channel and key), whether the
job runs twice, two workers run it at once, or it runs again after a restart. It catches
up: rules about a state see the state as it is, and rules about events read from where
they last stopped (at most ``JINHU_NOTIFY_CATCH_UP_DAYS`` back). A rule's mark moves in
the same transaction as the notices it wrote.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from jinhu.core import clock
from notifications.core import catalogue, text, timing
from notifications.models import Audience, Channel, Delivery, Notification, Rule
from notifications.services.occasions import FINDERS, Moment, Occasion
from villages.selectors import Role, VillageAssignment

log = logging.getLogger(__name__)

#: event rules re-read this much before their mark (an event committed late)
OVERLAP = dt.timedelta(minutes=10)
#: on their first run, event rules look back this far (not over all history)
FIRST_LOOK = dt.timedelta(days=1)
#: assignment roles in each audience
ROLES = {
    Audience.VILLAGE: (Role.SECRETARY, Role.CADRE),
    Audience.GUIDES: (Role.INSTRUCTOR, Role.LIAISON),
}


def rules_ensure() -> int:
    """Create the rules the catalogue has and the database lacks (never overwrites)."""
    have = set(Rule.objects.values_list("key", flat=True))
    missing = [
        Rule(
            key=spec.key,
            name=spec.name,
            description=spec.description,
            audience=list(spec.audience),
            threshold=spec.threshold,
            threshold_label=spec.threshold_label,
            title=spec.title,
            text=spec.text,
            sort_order=index,
        )
        for index, spec in enumerate(catalogue.CATALOGUE)
        if spec.key not in have
    ]
    Rule.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


@dataclass
class Outcome:
    rule: str
    occasions: int
    notified: int
    deliveries: int


def evaluate_all(now: dt.datetime | None = None) -> list[Outcome]:
    """Every enabled rule, each in its own transaction (one failing rule stops no other)."""
    now = now or clock.now()
    rules_ensure()
    outcomes = []
    for rule in Rule.objects.filter(enabled=True).order_by("sort_order", "key"):
        if rule.key not in FINDERS:
            continue
        try:
            outcomes.append(rule_evaluate(rule, now))
        except Exception:
            log.exception("notification rule %s failed", rule.key)
    return outcomes


def rule_evaluate(rule: Rule, now: dt.datetime) -> Outcome:
    with transaction.atomic():
        # One evaluation of a rule at a time (two beats, a manual run): the second waits
        # and then finds everything already told.
        rule = Rule.objects.select_for_update().get(pk=rule.pk)
        if not rule.enabled:
            return Outcome(rule.key, 0, 0, 0)
        floor = now - dt.timedelta(days=settings.JINHU_NOTIFY_CATCH_UP_DAYS)
        since = rule.evaluated_at - OVERLAP if rule.evaluated_at else now - FIRST_LOOK
        moment = Moment(now=now, today=clock.local_date(now), since=max(since, floor))
        occasions = list(FINDERS[rule.key](rule, moment))
        notified, deliveries = notify(rule, occasions, now)
        rule.evaluated_at = now
        rule.save(update_fields=["evaluated_at"])
    return Outcome(rule.key, len(occasions), notified, deliveries)


def audience_of(rule: Rule, village_ids: Iterable[int]) -> dict[int | None, set[int]]:
    """The users each village's occasions go to (key None: occasions of no village),
    by the rule's audience: the village's people and guides through their active
    assignment (exactly the villages they see), staff for every village."""
    User = get_user_model()
    village_ids = set(village_ids)
    out: dict[int | None, set[int]] = defaultdict(set)
    roles = [r for a in rule.audience for r in ROLES.get(a, ())]
    if roles and village_ids:
        for village_id, user_id in (
            VillageAssignment.objects.active()
            .filter(village_id__in=village_ids, role__in=roles, user__is_active=True)
            .values_list("village_id", "user_id")
        ):
            out[village_id].add(user_id)
    if Audience.STAFF in rule.audience:
        staff = set(
            User.objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(profile__role=Role.STAFF))
            .values_list("pk", flat=True)
        )
        for village_id in (*village_ids, None):
            out[village_id] |= staff
    return out


def notify(rule: Rule, occasions: list[Occasion], now: dt.datetime) -> tuple[int, int]:
    """Notices for the occasions' audiences not told yet, and their deliveries."""
    if not occasions:
        return 0, 0
    audience = audience_of(rule, {o.village_id for o in occasions if o.village_id is not None})
    keyed = {f"{rule.key}:{o.key}": o for o in occasions}
    told: set[tuple[int, str]] = set()
    keys = list(keyed)
    for start in range(0, len(keys), 500):
        told.update(
            Notification.objects.filter(key__in=keys[start : start + 500]).values_list(
                "recipient_id", "key"
            )
        )
    fresh = []
    for key, occasion in keyed.items():
        title = text.render(rule.title, occasion.facts)[:200]
        body = text.render(rule.text, occasion.facts)[:600]
        for user_id in sorted(audience.get(occasion.village_id, ())):
            if (user_id, key) in told:
                continue
            fresh.append(
                Notification(
                    recipient_id=user_id,
                    rule=rule,
                    village_id=occasion.village_id,
                    key=key,
                    title=title,
                    body=body,
                    url=occasion.url,
                    about=occasion.about,
                    created_at=now,
                )
            )
    Notification.objects.bulk_create(fresh, batch_size=500, ignore_conflicts=True)
    deliveries = deliveries_queue(rule, fresh, now)
    return len(fresh), deliveries


def deliveries_queue(rule: Rule, fresh: list[Notification], now: dt.datetime) -> int:
    """Deliveries for new notices: each recipient's own channels that take this rule,
    and (for rules about a village's own work) the village group's channels."""
    if not fresh:
        return 0
    wanted: dict[tuple[int, str], Delivery] = {}
    recipients = {n.recipient_id for n in fresh}
    mine = defaultdict(list)
    for channel in _channels(rule, Q(owner_id__in=recipients)):
        mine[channel.owner_id].append(channel)
    for notice in fresh:
        for channel in mine.get(notice.recipient_id, ()):
            wanted.setdefault((channel.pk, notice.key), _delivery(channel, rule, notice, now))
    if Audience.VILLAGE in rule.audience:
        told = {n.key: n for n in fresh if n.village_id is not None}
        villages = {n.village_id for n in told.values()}
        groups = defaultdict(list)
        for channel in _channels(rule, Q(village_id__in=villages)):
            groups[channel.village_id].append(channel)
        for key, notice in told.items():
            for channel in groups.get(notice.village_id, ()):
                wanted.setdefault((channel.pk, key), _delivery(channel, rule, notice, now))
    Delivery.objects.bulk_create(list(wanted.values()), batch_size=500, ignore_conflicts=True)
    return len(wanted)


def _channels(rule: Rule, where: Q) -> list[Channel]:
    """Active channels matching ``where`` that take ``rule`` (no rule chosen: all)."""
    return list(
        Channel.objects.filter(where, active=True)
        .filter(Q(rules=rule) | Q(rules__isnull=True))
        .distinct()
    )


def _delivery(channel: Channel, rule: Rule | None, notice: Any, now: dt.datetime) -> Delivery:
    digest = channel.mode == Channel.Mode.DIGEST
    return Delivery(
        channel=channel,
        key=notice.key,
        rule=rule,
        title=notice.title,
        body=notice.body,
        url=notice.url,
        digest=digest,
        next_attempt_at=digest_moment(now) if digest else now,
        created_at=now,
    )


def digest_moment(now: dt.datetime) -> dt.datetime:
    """The next daily digest (JINHU_NOTIFY_DIGEST_AT, Asia/Shanghai) as an aware instant."""
    at = timing.parse_time(settings.JINHU_NOTIFY_DIGEST_AT)
    local = clock.local(now)
    moment = timing.next_digest(local.replace(tzinfo=None), at)
    return clock.aware(moment)


def notify_staff(
    rule_key: str, key: str, facts: dict[str, Any], url: str, now: dt.datetime | None = None
) -> int:
    """A notice outside the beat job (a channel switched off), to the rule's audience."""
    now = now or clock.now()
    rules_ensure()
    rule = Rule.objects.get(key=rule_key)
    if not rule.enabled:
        return 0
    notified, _deliveries = notify(rule, [Occasion(key, None, url, facts, None)], now)
    return notified
