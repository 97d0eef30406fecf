"""The attendance verdict on one duty slot: a pure function over plain facts.

Rules (《坐班值班制度实施细则》 as configured per village):
- a manual correction decides, and marks the outcome "manual" for good;
- an approved leave or out-on-business report excuses the slot;
- nothing is judged before the slot has ended plus a grace period;
- arrival is the first punch from an hour before the start to the end, late
  after the grace minutes; departure is the last punch after arrival up to two
  hours after the end, early before the end minus the grace minutes; no
  departure punch counts as leaving early (未签退);
- a slot with no arrival is absent only if every attendance device of the
  village has been heard from after the slot ended: a silent device means
  "unknown", never "absent" (it may hold the punches). Positive evidence
  (arrived and stayed) is judged whatever the devices' state.
The status key the cadre pressed (in/out) is ignored: people press the wrong key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

ARRIVAL_WINDOW = dt.timedelta(hours=1)
DEPARTURE_WINDOW = dt.timedelta(hours=2)
WATERMARK_GRACE = dt.timedelta(minutes=15)
SAME_PUNCH = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class PunchFact:
    at: dt.datetime
    biometric: bool


@dataclass(frozen=True)
class SlotFacts:
    starts_at: dt.datetime
    ends_at: dt.datetime
    punches: tuple[PunchFact, ...]
    late_grace: dt.timedelta
    early_grace: dt.timedelta
    now: dt.datetime
    #: when each attendance device of the village was last heard from (None: never)
    devices_last_seen: tuple[dt.datetime | None, ...]
    excused: bool = False
    correction: str | None = None
    camera_activity: bool = False


@dataclass(frozen=True)
class Verdict:
    state: str
    arrived_at: dt.datetime | None = None
    left_at: dt.datetime | None = None
    biometric: bool = False
    punch_count: int = 0
    note: str = ""
    manual: bool = False
    corroborated: bool = False


def judge(f: SlotFacts) -> Verdict:
    relevant = sorted(
        (
            p
            for p in f.punches
            if f.starts_at - ARRIVAL_WINDOW <= p.at <= f.ends_at + DEPARTURE_WINDOW
        ),
        # At equal times a biometric punch comes first (the SQL rebuild agrees).
        key=lambda p: (p.at, not p.biometric),
    )
    arrivals = [p for p in relevant if p.at <= f.ends_at]
    arrival = arrivals[0] if arrivals else None
    departures = [p for p in relevant if arrival and p.at >= arrival.at + SAME_PUNCH]
    departure = departures[-1] if departures else None
    base: dict[str, Any] = {
        "arrived_at": arrival.at if arrival else None,
        "left_at": departure.at if departure else None,
        "biometric": bool(arrival and arrival.biometric),
        "punch_count": len(relevant),
        "corroborated": f.camera_activity,
    }
    if f.correction:
        return Verdict(state=f.correction, manual=True, note="人工更正", **base)
    if f.excused:
        return Verdict(state="excused", note="已批准的请假/外出报备", **base)
    if f.now < f.ends_at + WATERMARK_GRACE:
        return Verdict(state="pending", note="时段尚未结束", **base)
    late = arrival is not None and arrival.at > f.starts_at + f.late_grace
    early = departure is None or departure.at < f.ends_at - f.early_grace
    complete = bool(f.devices_last_seen) and all(
        seen is not None and seen >= f.ends_at for seen in f.devices_last_seen
    )
    if arrival is not None and not late and not early:
        return Verdict(state="on_time", note="" if arrival.biometric else "非生物识别签到", **base)
    if not complete:
        reason = (
            "本村未登记考勤设备" if not f.devices_last_seen else "有考勤设备在时段结束后尚未同步"
        )
        return Verdict(state="unknown", note=reason, **base)
    if arrival is None:
        return Verdict(state="absent", note="无签到记录", **base)
    note = "未签退" if departure is None else ""
    if not arrival.biometric:
        note = "；".join(x for x in (note, "非生物识别签到") if x)
    state = "late_early" if late and early else "late" if late else "left_early"
    return Verdict(state=state, note=note, **base)
