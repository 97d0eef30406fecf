"""Rebuilding slot outcomes for a whole period in one set-based statement (PostgreSQL).

``outcomes_judge`` judges village-days as data arrives, in Python
(``attendance/judging.py`` is the reference). After a change of rules, or to
rebuild a year from the raw punches, that is far too slow for a city (364 s for
1.8 million slots in bench/scoring.py). This is the same judgement written as
one SQL statement: one range scan per slot on the (cadre, punched_at) index.
``tests/devices/test_rebuild.py`` pins it to the Python judge case by case.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from attendance import judging, liveness
from attendance.services.tallies import tallies_refresh

SQL = """
WITH slots AS (
    SELECT s.id, s.village_id, s.cadre_id, s.day, s.starts_at, s.ends_at,
           make_interval(mins => r.late_grace_minutes) AS late_grace,
           make_interval(mins => r.early_grace_minutes) AS early_grace
    FROM attendance_dutyslot s
    JOIN attendance_dutyrules r ON r.village_id = s.village_id
    WHERE s.kind = 'sit_in' AND s.day BETWEEN %(start)s AND %(end)s
      AND (%(all_villages)s OR s.village_id = ANY(%(villages)s))
), devices AS (
    SELECT village_id, count(*) AS n, min(coalesce(last_seen_at, '-infinity')) AS oldest
    FROM attendance_device
    WHERE status = 'active' AND kind IN ('zk_clock', 'hik_terminal')
    GROUP BY village_id
), facts AS (
    SELECT sl.*, agg.arrived_at, agg.arrival_bio,
           CASE WHEN agg.last_at >= agg.arrived_at + %(same)s THEN agg.last_at END AS left_at,
           coalesce(agg.n, 0) AS punch_count,
           coalesce(dv.n, 0) AS device_count, dv.oldest,
           EXISTS (SELECT 1 FROM attendance_absencereport ab
                   WHERE ab.cadre_id = sl.cadre_id AND ab.village_id = sl.village_id
                     AND ab.status = 'approved'
                     AND ab.starts_at < sl.ends_at AND ab.ends_at > sl.starts_at) AS excused,
           (SELECT oc.state FROM attendance_outcomecorrection oc WHERE oc.slot_id = sl.id
            ORDER BY oc.created_at DESC, oc.id DESC LIMIT 1) AS correction,
           EXISTS (SELECT 1 FROM attendance_deviceevent e
                   JOIN attendance_device cam ON cam.id = e.device_id
                   WHERE cam.village_id = sl.village_id AND e.kind = 'camera'
                     AND e.occurred_at BETWEEN sl.starts_at AND sl.ends_at) AS corroborated
    FROM slots sl
    LEFT JOIN devices dv ON dv.village_id = sl.village_id
    LEFT JOIN LATERAL (
        -- One range scan per slot on the (cadre_id, punched_at) index gives all four.
        SELECT min(p.punched_at) FILTER (WHERE p.punched_at <= sl.ends_at) AS arrived_at,
               (array_agg(p.is_biometric ORDER BY p.punched_at)
                    FILTER (WHERE p.punched_at <= sl.ends_at))[1] AS arrival_bio,
               max(p.punched_at) AS last_at, count(*) AS n
        FROM attendance_punch p
        WHERE p.cadre_id = sl.cadre_id AND NOT p.needs_review
          AND p.punched_at BETWEEN sl.starts_at - %(arrival)s AND sl.ends_at + %(departure)s
    ) agg ON true
), judged AS (
    SELECT f.*,
           f.arrived_at > f.starts_at + f.late_grace AS late,
           (f.left_at IS NULL OR f.left_at < f.ends_at - f.early_grace) AS early,
           (f.device_count > 0 AND f.oldest >= f.ends_at) AS complete
    FROM facts f
), verdict AS (
    SELECT j.*,
      CASE
        WHEN j.correction IS NOT NULL THEN j.correction
        WHEN j.excused THEN 'excused'
        WHEN %(now)s < j.ends_at + %(grace)s THEN 'pending'
        WHEN j.arrived_at IS NOT NULL AND NOT j.late AND NOT j.early THEN 'on_time'
        WHEN NOT j.complete THEN 'unknown'
        WHEN j.arrived_at IS NULL THEN 'absent'
        WHEN j.late AND j.early THEN 'late_early'
        WHEN j.late THEN 'late'
        ELSE 'left_early'
      END AS state,
      CASE
        WHEN j.correction IS NOT NULL THEN '人工更正'
        WHEN j.excused THEN '已批准的请假/外出报备'
        WHEN %(now)s < j.ends_at + %(grace)s THEN '时段尚未结束'
        WHEN j.arrived_at IS NOT NULL AND NOT j.late AND NOT j.early THEN
             CASE WHEN j.arrival_bio THEN '' ELSE '非生物识别签到' END
        WHEN NOT j.complete THEN
             CASE WHEN j.device_count = 0 THEN '本村未登记考勤设备'
                  ELSE '有考勤设备在时段结束后尚未同步' END
        WHEN j.arrived_at IS NULL THEN '无签到记录'
        ELSE concat_ws('；', CASE WHEN j.left_at IS NULL THEN '未签退' END,
                       CASE WHEN NOT j.arrival_bio THEN '非生物识别签到' END)
      END AS note
    FROM judged j
)
INSERT INTO attendance_slotoutcome AS o
    (slot_id, village_id, cadre_id, day, state, arrived_at, left_at, biometric, corroborated,
     punch_count, note, manual, judged_at)
SELECT id, village_id, cadre_id, day, state, arrived_at, left_at, coalesce(arrival_bio, false),
       corroborated, punch_count, note, correction IS NOT NULL, %(now)s
FROM verdict
ON CONFLICT (slot_id) DO UPDATE SET
    state = EXCLUDED.state, arrived_at = EXCLUDED.arrived_at, left_at = EXCLUDED.left_at,
    biometric = EXCLUDED.biometric, corroborated = EXCLUDED.corroborated,
    punch_count = EXCLUDED.punch_count, note = EXCLUDED.note, manual = EXCLUDED.manual,
    judged_at = EXCLUDED.judged_at
WHERE (o.state, o.arrived_at, o.left_at, o.biometric, o.corroborated, o.punch_count, o.note,
       o.manual)
      IS DISTINCT FROM
      (EXCLUDED.state, EXCLUDED.arrived_at, EXCLUDED.left_at, EXCLUDED.biometric,
       EXCLUDED.corroborated, EXCLUDED.punch_count, EXCLUDED.note, EXCLUDED.manual)
"""


@transaction.atomic
def outcomes_rebuild(
    *, start: dt.date, end: dt.date, villages=None, now: dt.datetime | None = None
) -> int:
    """Judge every sit-in slot from ``start`` to ``end`` from the raw punches; returns the
    number of outcomes written (new or changed). PostgreSQL only."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("the set-based rebuild needs PostgreSQL; use outcomes_judge")
    from attendance.models import DutyRules, DutySlot

    liveness.flush()  # the statement reads last_seen_at from the database
    ids = [v.pk for v in villages] if villages is not None else []
    # The judge creates a village's default rules on first use; so does the rebuild.
    with_slots = DutySlot.objects.filter(day__gte=start, day__lte=end)
    if villages is not None:
        with_slots = with_slots.filter(village_id__in=ids)
    DutyRules.objects.bulk_create(
        [
            DutyRules(village_id=v)
            for v in with_slots.values_list("village_id", flat=True)
            .distinct()
            .exclude(village__duty_rules__isnull=False)
        ],
        ignore_conflicts=True,
    )
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            SQL,
            {
                "start": start,
                "end": end,
                "all_villages": villages is None,
                "villages": ids,
                "now": now,
                "grace": judging.WATERMARK_GRACE,
                "arrival": judging.ARRIVAL_WINDOW,
                "departure": judging.DEPARTURE_WINDOW,
                "same": judging.SAME_PUNCH,
            },
        )
        written = cursor.rowcount
    tallies_refresh(
        start=start, end=end, village_ids=ids if villages is not None else None, now=now
    )
    return written
