"""Rebuilding slot outcomes for a whole period in one set-based statement (PostgreSQL).

``outcomes_judge`` judges village-days as data arrives, in Python
(``attendance/core/judging.py`` is the reference). After a change of rules, or to
rebuild a year from the raw punches, that is far too slow for a city (364 s for
1.8 million slots in bench/scoring.py). This is the same judgement written as
one SQL statement: one range scan per slot on the (cadre, punched_at) index.
``tests/devices/test_rebuild.py`` pins it to the Python judge case by case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min

from attendance.core import judging, promise
from attendance.services import liveness
from attendance.services.tallies import month_span, promise_refresh
from jinhu.core import clock
from villages.selectors import Village

SQL = """
WITH slots AS (
    SELECT s.id, s.village_id, s.cadre_id, s.day, s.starts_at, s.ends_at,
           make_interval(mins => r.late_grace_minutes) AS late_grace,
           make_interval(mins => r.early_grace_minutes) AS early_grace
    FROM attendance_dutyslot s
    JOIN attendance_dutyrules r ON r.village_id = s.village_id
    WHERE s.kind = 'sit_in' AND s.day BETWEEN %(start)s AND %(end)s
      AND (%(all_villages)s OR s.village_id = ANY(%(villages)s))
      AND mod(s.village_id, %(parts)s) = %(part)s
), devices AS (
    SELECT village_id, count(*) AS n, min(coalesce(last_seen_at, '-infinity')) AS oldest
    FROM attendance_device
    WHERE status = 'active' AND kind IN ('zk_clock', 'hik_terminal')
    GROUP BY village_id
), absent_cadres AS (
    -- Few cadres have an approved absence in a period: only their slots are probed.
    SELECT DISTINCT cadre_id FROM attendance_absencereport
    WHERE status = 'approved' AND starts_at < %(hi)s AND ends_at > %(lo)s
), camera_villages AS (
    SELECT DISTINCT cam.village_id FROM attendance_deviceevent e
    JOIN attendance_device cam ON cam.id = e.device_id
    WHERE e.kind = 'camera' AND e.occurred_at BETWEEN %(lo)s AND %(hi)s
), corrections AS (
    -- The latest approved correction of each corrected slot (a small table: one hash
    -- join); requested and rejected ones do not count (the Python judge agrees).
    SELECT DISTINCT ON (slot_id) slot_id, state FROM attendance_outcomecorrection
    WHERE status = 'approved'
    ORDER BY slot_id, decided_at DESC NULLS LAST, created_at DESC, id DESC
), facts AS (
    SELECT sl.*, agg.arrived_at,
           coalesce(agg.bio_at = agg.arrived_at, false) AS arrival_bio,
           CASE WHEN agg.last_at >= agg.arrived_at + %(same)s THEN agg.last_at END AS left_at,
           coalesce(agg.n, 0) AS punch_count,
           coalesce(dv.n, 0) AS device_count, dv.oldest,
           CASE WHEN sl.cadre_id IN (SELECT cadre_id FROM absent_cadres) THEN
               EXISTS (SELECT 1 FROM attendance_absencereport ab
                       WHERE ab.cadre_id = sl.cadre_id AND ab.village_id = sl.village_id
                         AND ab.status = 'approved'
                         AND ab.starts_at < sl.ends_at AND ab.ends_at > sl.starts_at)
           ELSE false END AS excused,
           oc.state AS correction,
           CASE WHEN sl.village_id IN (SELECT village_id FROM camera_villages) THEN
               EXISTS (SELECT 1 FROM attendance_deviceevent e
                       JOIN attendance_device cam ON cam.id = e.device_id
                       WHERE cam.village_id = sl.village_id AND e.kind = 'camera'
                         AND e.occurred_at BETWEEN sl.starts_at AND sl.ends_at)
           ELSE false END AS corroborated
    FROM slots sl
    LEFT JOIN devices dv ON dv.village_id = sl.village_id
    LEFT JOIN corrections oc ON oc.slot_id = sl.id
    LEFT JOIN LATERAL (
        -- One range scan per slot on the (cadre_id, punched_at) index gives all of it.
        -- The arrival is the first punch up to the end; at equal times a biometric one
        -- counts (the Python judge orders ties the same way).
        SELECT min(p.punched_at) FILTER (WHERE p.punched_at <= sl.ends_at) AS arrived_at,
               min(p.punched_at) FILTER (WHERE p.punched_at <= sl.ends_at
                                         AND p.is_biometric) AS bio_at,
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
), inserted AS (
    -- Slots without an outcome: a plain INSERT (an ON CONFLICT clause costs a fifth more
    -- per row). Slots with one: an UPDATE where the verdict changed. Both see the same
    -- snapshot, so neither touches the other's rows.
    INSERT INTO attendance_slotoutcome
        (slot_id, village_id, cadre_id, day, state, arrived_at, left_at, biometric,
         corroborated, punch_count, note, manual, judged_at)
    SELECT id, village_id, cadre_id, day, state, arrived_at, left_at,
           coalesce(arrival_bio, false), corroborated, punch_count, note,
           correction IS NOT NULL, %(now)s
    FROM verdict v
    WHERE NOT EXISTS (SELECT 1 FROM attendance_slotoutcome x WHERE x.slot_id = v.id)
    RETURNING 1
), updated AS (
    UPDATE attendance_slotoutcome o
    SET state = v.state, arrived_at = v.arrived_at, left_at = v.left_at,
        biometric = coalesce(v.arrival_bio, false), corroborated = v.corroborated,
        punch_count = v.punch_count, note = v.note, manual = v.correction IS NOT NULL,
        judged_at = %(now)s
    FROM verdict v
    WHERE o.slot_id = v.id
      AND (o.state, o.arrived_at, o.left_at, o.biometric, o.corroborated, o.punch_count,
           o.note, o.manual)
          IS DISTINCT FROM
          (v.state, v.arrived_at, v.left_at, coalesce(v.arrival_bio, false), v.corroborated,
           v.punch_count, v.note, v.correction IS NOT NULL)
    RETURNING 1
), written AS (
    SELECT 1 FROM inserted UNION ALL SELECT 1 FROM updated
), counts AS (
    -- The range is whole months, so the verdicts are every outcome of their months:
    -- the monthly tallies are counted here rather than by re-reading the table.
    SELECT village_id, extract(year FROM day)::int AS year, extract(month FROM day)::int AS month,
           count(*) FILTER (WHERE state = ANY(%(judged_states)s)) AS judged,
           count(*) FILTER (WHERE state = ANY(%(compliant_states)s)) AS compliant
    FROM verdict GROUP BY 1, 2, 3
), tallied AS (
    INSERT INTO attendance_dutytally AS t
        (village_id, year, month, judged, compliant, changed_at)
    SELECT village_id, year, month, judged, compliant, %(now)s FROM counts
    ON CONFLICT (village_id, year, month) DO UPDATE SET
        judged = EXCLUDED.judged, compliant = EXCLUDED.compliant,
        changed_at = EXCLUDED.changed_at
    WHERE (t.judged, t.compliant) IS DISTINCT FROM (EXCLUDED.judged, EXCLUDED.compliant)
    RETURNING 1
), cadre_counts AS (
    -- A whole year rebuilt: who kept the duty promise over its judged slots so far, per
    -- village (the rule of attendance/core/promise.py, in integers), as the judge's
    -- promise_refresh counts it. Otherwise (%(promise)s false) promise_refresh runs after.
    SELECT village_id, cadre_id,
           count(*) FILTER (WHERE state = ANY(%(judged_states)s)) AS judged,
           count(*) FILTER (WHERE state = ANY(%(compliant_states)s)) AS compliant
    FROM verdict
    WHERE %(promise)s AND cadre_id IS NOT NULL AND day <= %(promise_end)s
    GROUP BY 1, 2
), promised AS (
    INSERT INTO attendance_dutypromise AS p (village_id, year, as_of, cadres, kept)
    SELECT village_id, %(promise_year)s, %(promise_end)s,
           count(*) FILTER (WHERE judged > 0),
           count(*) FILTER (WHERE judged > 0
                            AND (2000 * compliant + judged) / (2 * judged) >= %(promise_permille)s)
    FROM cadre_counts GROUP BY village_id
    ON CONFLICT (village_id, year) DO UPDATE SET
        as_of = EXCLUDED.as_of, cadres = EXCLUDED.cadres, kept = EXCLUDED.kept
    RETURNING 1
), unpromised AS (
    -- The part's other villages judged nothing that year (so far): zero, as of the day.
    INSERT INTO attendance_dutypromise AS p (village_id, year, as_of, cadres, kept)
    SELECT v.id, %(promise_year)s, %(promise_end)s, 0, 0
    FROM villages_village v
    WHERE %(promise)s
      AND (%(all_villages)s OR v.id = ANY(%(villages)s))
      AND mod(v.id, %(parts)s) = %(part)s
      AND NOT EXISTS (SELECT 1 FROM cadre_counts c WHERE c.village_id = v.id)
    ON CONFLICT (village_id, year) DO UPDATE SET
        as_of = EXCLUDED.as_of, cadres = 0, kept = 0
    RETURNING 1
), emptied AS (
    -- A month of the range whose slots are all gone counts nothing any more.
    UPDATE attendance_dutytally t
    SET judged = 0, compliant = 0, changed_at = %(now)s
    WHERE make_date(t.year, t.month, 1) BETWEEN %(start)s AND %(end)s
      AND (%(all_villages)s OR t.village_id = ANY(%(villages)s))
      AND mod(t.village_id, %(parts)s) = %(part)s
      AND (t.judged, t.compliant) <> (0, 0)
      AND NOT EXISTS (SELECT 1 FROM counts c WHERE c.village_id = t.village_id
                      AND c.year = t.year AND c.month = t.month)
    RETURNING 1
)
SELECT (SELECT count(*) FROM written), (SELECT count(*) FROM tallied),
       (SELECT count(*) FROM emptied)
"""


#: The same statement with INSERT … ON CONFLICT: used when the plain one collides with a
#: judge that stored one of the slots' outcomes in the meantime.
SQL_UPSERT = SQL.replace(
    SQL[SQL.index("), inserted AS (") : SQL.index("), counts AS (")],
    """), written AS (
    INSERT INTO attendance_slotoutcome AS o
        (slot_id, village_id, cadre_id, day, state, arrived_at, left_at, biometric,
         corroborated, punch_count, note, manual, judged_at)
    SELECT id, village_id, cadre_id, day, state, arrived_at, left_at,
           coalesce(arrival_bio, false), corroborated, punch_count, note,
           correction IS NOT NULL, %(now)s
    FROM verdict
    ON CONFLICT (slot_id) DO UPDATE SET
        state = EXCLUDED.state, arrived_at = EXCLUDED.arrived_at, left_at = EXCLUDED.left_at,
        biometric = EXCLUDED.biometric, corroborated = EXCLUDED.corroborated,
        punch_count = EXCLUDED.punch_count, note = EXCLUDED.note, manual = EXCLUDED.manual,
        judged_at = EXCLUDED.judged_at
    WHERE (o.state, o.arrived_at, o.left_at, o.biometric, o.corroborated, o.punch_count,
           o.note, o.manual)
          IS DISTINCT FROM
          (EXCLUDED.state, EXCLUDED.arrived_at, EXCLUDED.left_at, EXCLUDED.biometric,
           EXCLUDED.corroborated, EXCLUDED.punch_count, EXCLUDED.note, EXCLUDED.manual)
    RETURNING 1
""",
)


def outcomes_rebuild(
    *,
    start: dt.date,
    end: dt.date,
    villages: Collection[Village] | None = None,
    now: dt.datetime | None = None,
    workers: int = 1,
) -> int:
    """Judge every sit-in slot of the months from ``start`` to ``end`` (whole months, so
    that the monthly tallies are counted in the same statement) from the raw punches;
    returns the number of outcomes written (new or changed). PostgreSQL only.

    With ``workers`` > 1 (and no transaction open), the villages are split into that
    many parts rebuilt at the same time on their own connections, each part in its
    own transaction: the outcomes are derived rows, so a part that fails leaves the
    others correct and a rerun finishes the job.
    """
    if connection.vendor != "postgresql":
        raise NotImplementedError("the set-based rebuild needs PostgreSQL; use outcomes_judge")
    from attendance.models import COMPLIANT_STATES, JUDGED_STATES, DutyRules, DutySlot

    start, end = month_span(start, end)
    liveness.flush()  # the statement reads last_seen_at from the database
    ids = [v.pk for v in villages] if villages is not None else []
    with_slots = DutySlot.objects.filter(day__gte=start, day__lte=end, kind="sit_in").order_by()
    if villages is not None:
        with_slots = with_slots.filter(village_id__in=ids)
    # The judge creates a village's default rules on first use; so does the rebuild.
    DutyRules.objects.bulk_create(
        [
            DutyRules(village_id=v)
            for v in with_slots.exclude(village__duty_rules__isnull=False)
            .values_list("village_id", flat=True)
            .distinct()
        ],
        ignore_conflicts=True,
    )
    span = with_slots.aggregate(lo=Min("starts_at"), hi=Max("ends_at"))
    if span["lo"] is None:
        return 0
    now = now or clock.now()
    params = {
        "start": start,
        "end": end,
        "all_villages": villages is None,
        "villages": ids,
        "now": now,
        "lo": span["lo"],
        "hi": span["hi"],
        "grace": judging.WATERMARK_GRACE,
        "arrival": judging.ARRIVAL_WINDOW,
        "departure": judging.DEPARTURE_WINDOW,
        "same": judging.SAME_PUNCH,
        "judged_states": list(JUDGED_STATES),
        "compliant_states": list(COMPLIANT_STATES),
        # One whole calendar year: its duty-promise counts come out of the same statement.
        "promise": (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
        and start.year == end.year
        and clock.local_date(now) >= start,
        "promise_year": start.year,
        "promise_end": min(end, clock.local_date(now)),
        "promise_permille": promise.PROMISE_KEPT_RATE * 10,
    }
    if workers <= 1 or connection.in_atomic_block:
        # Inside a transaction other connections would not see its rows: one part.
        written = _rebuild_part(params, parts=1, part=0)
    else:

        def run(part: int) -> int:
            try:
                return _rebuild_part(params, parts=workers, part=part)
            finally:
                connection.close()  # this thread's own connection

        with ThreadPoolExecutor(max_workers=workers) as pool:
            written = sum(pool.map(run, range(workers)))
    if not params["promise"]:
        # Not one whole year: the yearly duty-promise counts need the rest of the year.
        promise_refresh(
            years=range(start.year, end.year + 1),
            village_ids=ids if villages is not None else None,
            today=clock.local_date(now),
        )
    return written


@transaction.atomic
def _rebuild_part(params: dict[str, Any], *, parts: int, part: int) -> int:
    with connection.cursor() as cursor:
        # Every slot's window is different: a memo of the punch scans never hits and
        # only costs (the planner cannot know that).
        cursor.execute("SET LOCAL enable_memoize = off")
        # The verdicts are kept once for the outcomes and the tallies: in memory, not in a
        # temporary file (about 150 bytes a slot; only for this transaction).
        cursor.execute("SET LOCAL work_mem = '512MB'")
        # (JIT compiling this statement's expressions costs more than it saves.)
        cursor.execute("SET LOCAL jit = off")
        values = {**params, "parts": parts, "part": part}
        try:
            with transaction.atomic():
                cursor.execute(SQL, values)
        except IntegrityError:
            cursor.execute(SQL_UPSERT, values)
        written, _tallied, _emptied = cursor.fetchone()
    return int(written)
