"""Recording the duty log and handovers."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attendance.models import DutyHandover, DutyLogEntry
from jinhu.core import clock
from jinhu.core.history import audit_actor
from villages.selectors import Cadre, Village


def _check(actor: User, village: Village, cadres: list[Cadre]) -> None:
    if not actor.has_perm("attendance.record_dutylog", village):
        raise PermissionDenied(_("您无权填写该村的坐班日志。"))
    for cadre in cadres:
        if cadre.village_id != village.pk:
            raise ValidationError(_("%(name)s 不是本村干部。") % {"name": cadre.name})


@transaction.atomic
def dutylog_record(
    *,
    actor: User,
    village: Village,
    cadre: Cadre,
    day: dt.date,
    kind: str,
    summary: str,
    people_count: int = 1,
    matter_type: str = "",
    parties_count: int | None = None,
    outcome: str = "",
) -> DutyLogEntry:
    _check(actor, village, [cadre])
    if day > clock.today():
        raise ValidationError({"day": _("不能填写未来日期的日志。")})
    entry = DutyLogEntry(
        village=village,
        cadre=cadre,
        day=day,
        kind=kind,
        summary=summary.strip(),
        people_count=people_count,
        matter_type=matter_type,
        parties_count=parties_count,
        outcome=outcome,
        recorded_by=actor,
    )
    entry.full_clean()
    with audit_actor(actor):
        entry.save()
    return entry


@transaction.atomic
def handover_record(
    *, actor: User, village: Village, day: dt.date, from_cadre: Cadre, to_cadre: Cadre, notes: str
) -> DutyHandover:
    _check(actor, village, [from_cadre, to_cadre])
    handover = DutyHandover(
        village=village,
        day=day,
        from_cadre=from_cadre,
        to_cadre=to_cadre,
        notes=notes.strip(),
        recorded_by=actor,
    )
    handover.full_clean()
    with audit_actor(actor):
        handover.save()
    return handover
