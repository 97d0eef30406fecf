"""ATTLOG uploads parsed inside PostgreSQL, many requests per statement.

The Python parser (``attendance/core/protocols/zkteco.py`` through
``parse.request_parse``) is the reference and the only path on SQLite. On
PostgreSQL a backlog is parsed here: one statement splits the stored bodies
into lines, accepts the lines it can *prove* valid, inserts them as punches and
hands every other non-blank line back to Python, which parses it with the
reference parser (quarantining it with the reference reason, or storing it if
the reference accepts what the strict SQL checks did not). So the SQL path
never decides that a line is malformed and never accepts a line the reference
would refuse; ``tests/devices/test_attlog_sql.py`` pins the two paths to the same
rows on a corpus of awkward lines.

A request is parsed here only when that is known to be exact: an active clock in
a zone without daylight-saving time (``SQL_ZONES``) and a body that was valid UTF-8
without NUL when it was stored (its ``encoding`` says so: ``protocols.decode``).
Flags follow ``records.punch_row``: in the future, before installation, and from a
skewed clock (decided for the whole upload when it was stored:
``DeviceRequest.clock_offset``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from attendance.core.protocols import zkteco
from attendance.models import DeviceRequest, PunchSource
from attendance.services.ingest import records, writes
from attendance.services.ingest.records import Context, ParseResult

#: zones whose wall clock maps one-to-one onto instants for the years accepted below
SQL_ZONES = ("Asia/Shanghai", "UTC")

#: The strict shape of a line accepted in SQL; anything else goes to the reference parser:
#: a PIN of 1–24 of ``[A-Za-z0-9_-]``, ``YYYY-MM-DD HH:MM:SS`` of ASCII digits in 1992–2099
#: (no Chinese daylight-saving time), status and verify of 1–4 digits, no spaces around
#: the four leading fields; of the rest, only field 11 (``TimeOffset``) is looked at.
#: Checked with translate() and substr() rather than a regular expression: PostgreSQL's
#: regex engine costs 2 µs a line (10 µs with capture groups), a third of the whole parse.
PIN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
MAX_OFFSET = 14 * 3600

#: the lines of the claimed uploads: split, checked, and the valid ones made into rows
_LINES = """
WITH req AS (
    SELECT r.id, r.device_id, r.received_at, d.village_id, d.time_zone,
           (d.installed_on::timestamp AT TIME ZONE d.time_zone) AS install_start,
           coalesce(abs(r.clock_offset) > %(skew)s, false) AS skewed,
           convert_from(r.body, 'UTF8') AS body
    FROM attendance_devicerequest r JOIN attendance_device d ON d.id = r.device_id
    WHERE r.id = ANY(%(ids)s)
), judged AS MATERIALIZED (
    -- One narrow row per non-blank line: its four leading fields, field 11, whether the
    -- strict checks prove it valid, and its text only when they do not (for Python).
    -- (Narrow: materialising the split arrays and the request's columns per line cost
    -- half of the statement; bench/device_ingest.py.)
    SELECT id, line_no, pin, t, s, v, off, ok,
           CASE WHEN ok THEN NULL ELSE rtrim(piece, E'\\r') END AS line
    FROM (
        SELECT req.id, p.n::int AS line_no, p.piece,
               a.f[1] AS pin, a.f[2] AS t, a.f[3] AS s, a.f[4] AS v, a.f[11] AS off,
               -- String checks first; the casts run only once the digits are proven.
               CASE WHEN array_length(a.f, 1) >= 4
                     AND length(a.f[1]) BETWEEN 1 AND 24
                     AND (translate(a.f[1], '0123456789', '') = ''
                          OR translate(a.f[1], %(pin_chars)s, '') = '')
                     AND translate(a.f[2], '0123456789', '0000000000') = '0000-00-00 00:00:00'
                     AND length(a.f[3]) BETWEEN 1 AND 4 AND translate(a.f[3], '0123456789', '') = ''
                     AND length(a.f[4]) BETWEEN 1 AND 4 AND translate(a.f[4], '0123456789', '') = ''
                     AND left(a.f[2], 4) BETWEEN '1992' AND '2099'
                     AND substr(a.f[2], 6, 2) BETWEEN '01' AND '12'
                     AND substr(a.f[2], 9, 2) >= '01'
                     AND substr(a.f[2], 12, 2) <= '23' AND substr(a.f[2], 15, 2) <= '59'
                     AND substr(a.f[2], 18, 2) <= '59'
                    THEN (substr(a.f[2], 9, 2) <= '28'
                          OR substr(a.f[2], 9, 2)::int <= extract(day FROM
                             make_date(left(a.f[2], 4)::int, substr(a.f[2], 6, 2)::int, 1)
                             + interval '1 month - 1 day'))
                         AND CASE WHEN a.f[11] IS NULL OR btrim(a.f[11], ' ') = '' THEN true
                                  WHEN a.f[11] ~ '^-?[0-9]{1,5}$'
                                  THEN abs(a.f[11]::int) <= %(max_offset)s
                                  ELSE false END
                    ELSE false END AS ok
        FROM req
        CROSS JOIN LATERAL string_to_table(req.body, E'\\n') WITH ORDINALITY AS p(piece, n)
        -- OFFSET 0 keeps the split from being repeated at every reference to f.
        CROSS JOIN LATERAL (SELECT string_to_array(rtrim(p.piece, E'\\r'), E'\\t') AS f
                            OFFSET 0) a
        WHERE btrim(p.piece, E' \\t\\r') <> ''  -- blank to the reference parser too: skipped
        OFFSET 0
    ) split
), candidates {materialized} (
    SELECT j.id, r.device_id, r.village_id, r.received_at, r.skewed, j.line_no, j.pin,
           j.t AS raw_time, j.s::smallint AS status, j.v::smallint AS verify, m.cadre_id,
           x.punched_at,
           x.punched_at > r.received_at + %(future)s AS is_future,
           r.install_start IS NOT NULL AND x.punched_at < r.install_start AS is_early
    FROM judged j
    JOIN req r ON r.id = j.id
    CROSS JOIN LATERAL (
        SELECT CASE WHEN j.off IS NULL OR btrim(j.off, ' ') = ''
                    THEN j.t::timestamp AT TIME ZONE r.time_zone
                    ELSE (j.t::timestamp - make_interval(secs => j.off::int)) AT TIME ZONE 'UTC'
               END AS punched_at) x
    LEFT JOIN attendance_pinmapping m ON m.device_id = r.device_id AND m.pin = j.pin
    WHERE j.ok
"""

_INSERT = """
    INSERT INTO attendance_punch (device_id, village_id, source, pin, cadre_id, punched_at,
        raw_time, status, verify, is_biometric, record_id, request_id, line_no, received_at,
        flags, needs_review, unmatched_reason)
"""

#: the values of a punch row, from ``candidates`` (the same rules as records.punch_row)
_VALUES = """
    SELECT {distinct}
           device_id, village_id, %(source)s, pin, cadre_id, punched_at, raw_time, status,
           verify, verify = ANY(%(biometric)s), NULL, id, line_no, received_at,
           CASE WHEN NOT (is_future OR is_early OR skewed) THEN '[]'::jsonb
                ELSE to_jsonb(array_remove(ARRAY[CASE WHEN is_future THEN 'future' END,
                                                 CASE WHEN is_early THEN 'before_install' END,
                                                 CASE WHEN skewed THEN 'clock_skew' END], NULL))
           END,
           is_future OR is_early OR skewed,
           CASE WHEN cadre_id IS NULL THEN '设备工号 ' || pin || ' 尚未对应干部' ELSE '' END
    FROM candidates
"""

_TALLY = """
SELECT 'ok', id, NULL, NULL, NULL, count(*) FROM judged WHERE ok GROUP BY 2
UNION ALL
SELECT 'other', id, NULL, line_no, line, 0 FROM judged WHERE NOT ok
"""

#: The common case, fresh punches: a plain INSERT of every valid line. Any repeat (in
#: the batch, or of a stored punch, or of another drain's) violates the unique key and
#: sends the batch to ``_PARSE_DEDUPLICATING`` instead. Without ON CONFLICT, the sort
#: that keeps the first of repeated lines and RETURNING, it costs a quarter less per
#: line (bench/device_ingest.py); a re-upload pays for one failed attempt.
_PARSE_FRESH = (
    _LINES.replace("{materialized}", "AS MATERIALIZED")
    + "), ins AS ("
    + _INSERT
    + _VALUES.replace("{distinct}", "")
    + """)
SELECT 'new', id, village_id, NULL::int,
       (punched_at AT TIME ZONE %(zone)s)::date::text, count(*)
FROM candidates WHERE cadre_id IS NOT NULL GROUP BY 2, 3, 5
UNION ALL
SELECT 'new', id, village_id, NULL, NULL, count(*)
FROM candidates WHERE cadre_id IS NULL GROUP BY 2, 3
UNION ALL"""
    + _TALLY
)

#: Repeats possible: ON CONFLICT skips stored punches, DISTINCT ON keeps the first of
#: lines repeated in the batch (as the reference parser does), RETURNING says what is new.
_PARSE_DEDUPLICATING = (
    _LINES.replace("{materialized}", "AS NOT MATERIALIZED")
    + "), ins AS ("
    + _INSERT
    + _VALUES.replace("{distinct}", "DISTINCT ON (device_id, pin, raw_time, status, verify)")
    + """    -- Of repeated lines the first is kept (as the reference parser keeps it).
    ORDER BY device_id, pin, raw_time, status, verify, id, line_no
    -- (Measured against a plain INSERT after a NOT EXISTS probe per line: the probe cost
    -- more than the clause saves, 13 µs a line, and two drains could then collide.)
    ON CONFLICT (device_id, pin, raw_time, status, verify) WHERE record_id IS NULL DO NOTHING
    RETURNING request_id, village_id, cadre_id, punched_at
)
SELECT 'new', request_id, village_id, NULL::int,
       (punched_at AT TIME ZONE %(zone)s)::date::text, count(*)
FROM ins WHERE cadre_id IS NOT NULL GROUP BY 2, 3, 5
UNION ALL
SELECT 'new', request_id, village_id, NULL, NULL, count(*)
FROM ins WHERE cadre_id IS NULL GROUP BY 2, 3
UNION ALL"""
    + _TALLY
)


_CLAIM = """
SELECT r.id FROM attendance_devicerequest r
    JOIN attendance_device d ON d.id = r.device_id
    WHERE r.status = 'accepted' AND r.parsed_at IS NULL AND r.kind = 'attlog'
      AND d.status = 'active' AND d.time_zone = ANY(%s)
      -- (NUL-free UTF-8, known from when it was stored: no body is read to claim it)
      AND r.encoding = 'utf-8'
    ORDER BY r.id LIMIT %s
    FOR UPDATE OF r SKIP LOCKED
"""


def not_eligible(request_ids: list[int]) -> list[int]:
    """Those of ``request_ids`` this path never claims (see the module doc)."""
    return list(
        DeviceRequest.objects.filter(pk__in=request_ids)
        .exclude(encoding="utf-8", device__time_zone__in=SQL_ZONES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def claim(limit: int) -> list[int]:
    """Claim up to ``limit`` pending uploads this path parses exactly (see the module doc).

    A row lock, not a mark: call inside the transaction that writes the rows and marks
    them parsed (``attlog_parse_batch``); if it fails, the lock goes with it.
    """
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, [list(SQL_ZONES), limit])
        return sorted(row[0] for row in cursor.fetchall())


def attlog_parse_batch(request_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Parse claimed, eligible ATTLOG requests; return each request's result counts.

    Runs inside the caller's transaction (the claim and the rows commit together).
    """
    from attendance.services.outcomes import outcomes_mark

    if not request_ids:
        return {}
    results = {pk: ParseResult() for pk in request_ids}
    days: dict[int, set[Any]] = defaultdict(set)
    leftovers: dict[int, list[tuple[int, str]]] = defaultdict(list)
    params: dict[str, Any] = {
        "ids": list(request_ids),
        "pin_chars": PIN_CHARS,
        "max_offset": MAX_OFFSET,
        "future": records.FUTURE_TOLERANCE,
        "skew": int(records.SKEW_TOLERANCE.total_seconds()),
        "source": PunchSource.ZK_ATTLOG,
        "biometric": sorted(zkteco.BIOMETRIC_VERIFY),
        "zone": timezone.get_current_timezone_name(),
    }
    with connection.cursor() as cursor:
        # A batch's lines are kept and sorted in memory, not in temporary files.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        try:
            with transaction.atomic():
                cursor.execute(_PARSE_FRESH, params)
                rows = cursor.fetchall()
        except IntegrityError:
            cursor.execute(_PARSE_DEDUPLICATING, params)
            rows = cursor.fetchall()
        for kind, pk, village_id, line_no, text, count in rows:
            result = results[pk]
            if kind == "new":
                result.punches_new += count
                if text is not None:
                    days[village_id].add(text)
            elif kind == "ok":
                result.punches_duplicate += count  # less the new ones, below
            else:
                leftovers[pk].append((line_no, text))
    for result in results.values():
        result.punches_duplicate -= result.punches_new
    if leftovers:
        _parse_leftovers(leftovers, results, days)
    outcomes_mark(days)
    _save_results(results)
    return {pk: r.as_dict() for pk, r in results.items()}


def _parse_leftovers(leftovers: Any, results: Any, days: Any) -> None:
    """Lines the strict checks did not accept: the reference parser decides."""
    requests = DeviceRequest.objects.select_related("device").in_bulk(list(leftovers))
    for pk, lines in leftovers.items():
        stored = requests[pk]
        stored.encoding = "utf-8"  # (only UTF-8 bodies are claimed here)
        device = stored.device
        assert device is not None  # (only registered devices' requests are claimed)
        parsed = [zkteco.parse_attlog_line(n, line) for n, line in sorted(lines) if line.strip()]
        part = writes.rows_write(Context.of(stored, device), parsed)
        results[pk].add(part)
        days[device.village_id].update(d.isoformat() for d in part.days)


def _save_results(results: Any) -> None:
    """Every claimed request marked parsed with its counts, in the batch's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE attendance_devicerequest r SET parsed_at = now(), result = v.result::jsonb "
            "FROM unnest(%s::bigint[], %s::text[]) AS v(id, result) WHERE r.id = v.id",
            [list(results), [json.dumps(r.as_dict()) for r in results.values()]],
        )
        # The device panel shows the offset measured by each clock's latest upload.
        cursor.execute(
            "UPDATE attendance_device d SET clock_skew_seconds = v.clock_offset FROM ("
            "  SELECT DISTINCT ON (device_id) device_id, clock_offset "
            "  FROM attendance_devicerequest WHERE id = ANY(%s) AND clock_offset IS NOT NULL"
            "  ORDER BY device_id, id DESC) v "
            "WHERE d.id = v.device_id AND d.clock_skew_seconds IS DISTINCT FROM v.clock_offset",
            [list(results)],
        )
