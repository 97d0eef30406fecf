"""A year's official holiday schedule, entered by staff when the package lacks it.

``chinese-calendar`` 1.11.0 carries no day of 2027 (the State Council publishes each
year's arrangement around November). Staff enter the year's holidays and 调休
make-up workdays here, typed or imported from a small text/CSV file, and confirm
the year with the notice's number; rosters and judging then follow the entered
schedule (``HolidayOverride`` rows for the whole sub-district win over the
package's weekday fallback). From December, every staff page shows a banner
while next year is still missing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attendance.core import workdays
from attendance.models import HolidayArrangement, HolidayOverride
from attendance.selectors import HORIZON_DAYS
from attendance.services.outcomes import outcomes_mark
from attendance.services.rosters import slots_materialize
from jinhu.core import clock
from jinhu.core.history import audit_actor
from villages.selectors import Village

#: how a line says "a day off" or "a working day" (file or form)
OFF_WORDS = {"休", "休息", "放假", "假", "节假日", "holiday", "off"}
WORK_WORDS = {"班", "上班", "调休上班", "补班", "工作日", "workday", "work"}
HEADER_WORDS = {"日期", "date"}


@dataclass(frozen=True)
class ScheduleDay:
    day: dt.date
    is_workday: bool
    name: str


def schedule_parse(text: str, *, year: int) -> tuple[list[ScheduleDay], list[str]]:
    """Lines ``日期,休/班,名称`` (comma, tab or Chinese comma; a header line is allowed),
    e.g. ``2027-02-06,休,春节`` and ``2027-02-14,班,春节调休上班``.

    Returns the days and, for every line that cannot be used, a message naming it.
    """
    days: dict[dt.date, ScheduleDay] = {}
    errors: list[str] = []
    cleaned = text.replace("，", ",").replace("\t", ",")
    for number, row in enumerate(csv.reader(io.StringIO(cleaned)), start=1):
        fields = [f.strip() for f in row]
        if not any(fields):
            continue
        if fields[0].lower() in HEADER_WORDS:
            continue
        if len(fields) < 2:
            errors.append(_("第 %(n)s 行：至少需要“日期,休/班”两项") % {"n": number})
            continue
        try:
            day = dt.date.fromisoformat(fields[0].replace("/", "-"))
        except ValueError:
            errors.append(
                _("第 %(n)s 行：日期“%(v)s”无法识别，应写作 2027-02-06")
                % {"n": number, "v": fields[0][:20]}
            )
            continue
        if day.year != year:
            errors.append(
                _("第 %(n)s 行：%(d)s 不属于 %(y)s 年") % {"n": number, "d": day, "y": year}
            )
            continue
        kind = fields[1].lower()
        if kind in OFF_WORDS:
            is_workday = False
        elif kind in WORK_WORDS:
            is_workday = True
        else:
            errors.append(
                _("第 %(n)s 行：“%(v)s”应为“休”或“班”") % {"n": number, "v": fields[1][:10]}
            )
            continue
        name = (fields[2] if len(fields) > 2 else "")[:32] or (
            _("调休上班") if is_workday else _("节假日")
        )
        if day in days and days[day].is_workday != is_workday:
            errors.append(_("第 %(n)s 行：%(d)s 前后矛盾") % {"n": number, "d": day})
            continue
        days[day] = ScheduleDay(day, is_workday, name)
    return sorted(days.values(), key=lambda d: d.day), errors


def _staff_only(actor: User) -> None:
    if not actor.has_perm("attendance.manage_holidays"):
        raise PermissionDenied(_("只有街道工作人员可以录入节假日安排。"))


@transaction.atomic
def schedule_save(*, actor: User, year: int, days: list[ScheduleDay], note: str) -> dict[str, int]:
    """The year's sub-district-wide schedule becomes exactly ``days``, and the year is
    confirmed (the warning goes). Future duty slots follow at once; past days whose
    arrangement changed are judged again. Village-specific adjustments are kept."""
    _staff_only(actor)
    if not note.strip():
        raise ValidationError({"note": _("请填写依据，例如国务院办公厅通知的文号。")})
    if not days:
        raise ValidationError(_("没有可录入的日期。"))
    end = dt.date(year, 12, 31)
    current = {
        o.day: o for o in HolidayOverride.objects.filter(village__isnull=True, day__year=year)
    }
    wanted = {d.day: d for d in days}
    changed: set[dt.date] = set()
    with audit_actor(actor):
        for day, row in current.items():
            if day not in wanted:
                row.delete()
                changed.add(day)
        for day, entry in wanted.items():
            existing = current.get(day)
            if existing is None:
                HolidayOverride.objects.create(
                    day=day, is_workday=entry.is_workday, name=entry.name, note=note[:200]
                )
                changed.add(day)
            elif (row.is_workday, row.name) != (entry.is_workday, entry.name):
                row.is_workday, row.name, row.note = entry.is_workday, entry.name, note[:200]
                row.save(update_fields=["is_workday", "name", "note"])
                changed.add(day)
        HolidayArrangement.objects.update_or_create(
            year=year, defaults={"confirmed_by": actor, "note": note[:200]}
        )
    _follow(changed, end)
    return {"days": len(wanted), "changed": len(changed)}


def _follow(changed: set[dt.date], end: dt.date) -> None:
    """Rosters follow a changed schedule: slots from today on are re-materialised (within
    the horizon), days already past are judged again."""
    if not changed:
        return
    today = clock.today()
    horizon = today + dt.timedelta(days=HORIZON_DAYS)
    first, last = max(min(changed), today), min(max(changed), end, horizon)
    past = sorted(d for d in changed if d < today)
    for village in Village.objects.active():
        if first <= last:
            slots_materialize(village=village, start=first, end=last)
        if past:
            outcomes_mark({village.pk: past})


def schedule_of(year: int) -> list[workdays.DayInfo]:
    """The year's holidays and make-up workdays as rosters see them (sub-district wide)."""
    decided = {
        o.day: (o.is_workday, o.name)
        for o in HolidayOverride.objects.filter(village__isnull=True, day__year=year)
    }
    out = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        info = workdays.day_info(day, decided)
        if info.label or info.is_makeup_workday or (not info.is_workday and day.weekday() < 5):
            out.append(info)
        day += dt.timedelta(days=1)
    return out
