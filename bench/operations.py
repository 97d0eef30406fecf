"""Benchmark: running the portal for years (issue: backups, retention, metrics).

Run:  REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/operations.py
(needs PostgreSQL, Redis and wrk; the city-scale figures need bench/scoring.py's data
set, ``jinhu_bench_scoring``, and are skipped with a note when it is absent.)

1. Retention under load. A month of city-scale raw device requests (1,000 clocks, a
   real-time upload per punch: 24 a working day, ~530,000 requests of September 2025)
   is stored in ``jinhu_bench_ops``. While ``archive_device_requests`` archives and
   deletes them in 500-row batches in another process, the device benchmark's
   heartbeat rounds run (``/iclock/getrequest`` for 200 clocks against the trivial
   view ``/robots.txt``, interleaved) and ATTLOG uploads are posted one after another.
   Target: heartbeat ratio ≥ 0.60 while retention runs. The same rounds before the run
   are the baseline; the uploads' worst latency shows that nothing waits on a lock.
2. Partitioning. Into two tables with the punch table's columns, one plain and one
   partitioned by month on the punch time: the insert rate of 1,000,000 rows (INSERT … SELECT),
   the judge's query (one cadre's punches over a day) and deleting a month (batched
   DELETE vs DROP of the month's partition).
3. Backups and drills. ``backup`` and ``restore_drill`` on the demo data set and on the
   city-scale one: seconds, sizes (the recovery point and time in docs/operations.md).
4. Table sizes of a year at city scale (punches, slots, outcomes; raw requests from
   part 1, scaled to twelve months).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, Gunicorn, bench_env, fresh_database, manage, median, psql, save, say
from device_ingest import HEARTBEAT_DEVICES, SETUP, heartbeat_rounds

DB = "jinhu_bench_ops"
CITY_DB = "jinhu_bench_scoring"
CLOCKS = int(os.environ.get("BENCH_OPS_CLOCKS", "1000"))
UPLOADS_PER_DAY = 24

# A month of raw requests for CLOCKS clocks: one real-time ATTLOG line per request,
# working hours of the 22 workdays of September 2025, already parsed.
REQUESTS = """
SET synchronous_commit = off;
INSERT INTO attendance_device (village_id, kind, name, serial_number, location, time_zone,
  status, police_linked, platform_channel, duty_phone, note, created_at, token_hint,
  allowed_network, push_version, firmware, stamps, installed_on)
  SELECT (SELECT min(id) FROM villages_village), 'zk_clock', '', 'MONTH' || lpad(n::text, 5, '0'),
         '', 'Asia/Shanghai', 'active', false, '', '', '', now(), '', '', '', '', '{{}}',
         date '2020-01-01'
  FROM generate_series(1, {clocks}) n;
INSERT INTO attendance_devicerequest (device_id, protocol, kind, method, path, query_string,
  headers, body, body_size, remote_addr, received_at, status, refusal_reason, parsed_at,
  encoding, line_count, result)
  SELECT d.id, 'zk', 'attlog', 'POST', '/iclock/cdata', 'SN=' || d.serial_number || '&table=ATTLOG',
         '{{"Content-Type": "text/plain", "User-Agent": "iClock Proxy/1.09"}}',
         convert_to(format(E'%s\\t%s\\t0\\t1\\t0\\t0\\t0\\n', 100 + u % 20,
                           to_char(t, 'YYYY-MM-DD HH24:MI:SS')), 'UTF8'),
         40, '10.12.0.1', t, 'accepted', '', t + interval '2 seconds', 'utf-8', 1,
         '{{"punches_new": 1, "punches_duplicate": 0, "quarantined": 0}}'
  FROM attendance_device d
  CROSS JOIN generate_series(date '2025-09-01', date '2025-09-30', interval '1 day') day
  CROSS JOIN generate_series(0, {per_day} - 1) u
  CROSS JOIN LATERAL (SELECT (day::date + time '08:00' + u * interval '22 minutes')
                      AT TIME ZONE 'Asia/Shanghai' AS t) moment
  WHERE d.serial_number LIKE 'MONTH%' AND extract(isodow FROM day) < 6;
ANALYZE attendance_devicerequest;
"""

PARTITION_SETUP = """
DROP TABLE IF EXISTS bench_punch_plain, bench_punch_parted CASCADE;
CREATE TABLE bench_punch_plain (id bigserial PRIMARY KEY, device_id int, pin varchar(24),
  cadre_id int, punched_at timestamptz, raw_time varchar(40), status smallint, verify smallint,
  is_biometric bool, needs_review bool);
CREATE UNIQUE INDEX ON bench_punch_plain (device_id, pin, raw_time, status, verify);
CREATE INDEX ON bench_punch_plain (cadre_id, punched_at) INCLUDE (is_biometric, needs_review);
CREATE TABLE bench_punch_parted (id bigserial, device_id int, pin varchar(24), cadre_id int,
  punched_at timestamptz, raw_time varchar(40), status smallint, verify smallint,
  is_biometric bool, needs_review bool, PRIMARY KEY (id, punched_at))
  PARTITION BY RANGE (punched_at);
-- The content key must include the partition key: (…, punched_at). Across months it no
-- longer guards against the same line twice, which is what the key is for.
CREATE UNIQUE INDEX ON bench_punch_parted (device_id, pin, raw_time, status, verify, punched_at);
CREATE INDEX ON bench_punch_parted (cadre_id, punched_at) INCLUDE (is_biometric, needs_review);
DO $$ BEGIN FOR m IN 0..11 LOOP
  EXECUTE format('CREATE TABLE bench_punch_parted_%s PARTITION OF bench_punch_parted
    FOR VALUES FROM (%L) TO (%L)', m + 1,
    (timestamptz '2025-01-01 00:00+08' + m * interval '1 month'),
    (timestamptz '2025-01-01 00:00+08' + (m + 1) * interval '1 month'));
END LOOP; END $$;
"""

ROWS = """
SELECT n % 1000, (100 + n % 20)::text, (n % 20000) + 1,
       t, to_char(t AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), 0, 1, true, false
FROM generate_series(0, 999999) n,
     LATERAL (SELECT timestamptz '2025-01-01 08:00+08' + (n / 2740) * interval '1 day'
                     + ((n % 2740) / 137) * interval '20 minutes'
                     + (n % 60) * interval '1 second' AS t) x
ON CONFLICT DO NOTHING
"""
COLUMNS = (
    "device_id, pin, cadre_id, punched_at, raw_time, status, verify, is_biometric, needs_review"
)


def timed(sql: str, db: str = DB) -> float:
    started = time.perf_counter()
    psql(sql, db)
    return time.perf_counter() - started


def upload_latencies(url: str, stop: threading.Event) -> list[float]:
    """ATTLOG uploads one after another until ``stop``: each one's seconds."""
    out: list[float] = []
    n = 0
    while not stop.is_set():
        body = f"101\t2026-11-{1 + n % 28:02d} 08:{n % 60:02d}:00\t0\t1\t0\t0\t0\n".encode()
        request = urllib.request.Request(
            f"{url}/iclock/cdata?SN=BENCH00001&table=ATTLOG&Stamp={n}", data=body, method="POST"
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
        out.append(time.perf_counter() - started)
        n += 1
        time.sleep(0.2)
    return out


def retention_under_load(env: dict[str, str]) -> dict:
    say(f"Preparing {DB}: {HEARTBEAT_DEVICES} clocks and a month of {CLOCKS} clocks' requests…")
    fresh_database(DB)
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SETUP.format(devices=HEARTBEAT_DEVICES))
    seconds = timed(REQUESTS.format(clocks=CLOCKS, per_day=UPLOADS_PER_DAY))
    month = int(psql("SELECT count(*) FROM attendance_devicerequest", DB))
    size = int(psql("SELECT pg_total_relation_size('attendance_devicerequest')", DB))
    say(f"{month:,} requests of September 2025 stored ({size / 2**20:.0f} MiB, {seconds:.0f} s)")
    result: dict = {"requests_month": month, "request_table_bytes_month": size}
    archive = ROOT / "var" / "bench-archive"
    subprocess.run(["rm", "-rf", str(archive)], check=True)
    with Gunicorn(env) as server:
        say("heartbeat rounds before retention (baseline):")
        before = heartbeat_rounds(server)
        retention = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "python"),
                "manage.py",
                "archive_device_requests",
                "--months",
                "13",
                "--folder",
                str(archive),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        stop = threading.Event()
        latencies: list[float] = []
        uploader = threading.Thread(
            target=lambda: latencies.extend(upload_latencies(server.url, stop))
        )
        started = time.perf_counter()
        uploader.start()
        say("heartbeat rounds while retention runs:")
        during = []
        while retention.poll() is None:
            during += heartbeat_rounds(server)
            if len(during) >= 6:
                break
        still_running = retention.poll() is None
        out, _ = retention.communicate()
        elapsed = time.perf_counter() - started
        stop.set()
        uploader.join()
    left = int(
        psql("SELECT count(*) FROM attendance_devicerequest WHERE received_at < '2025-10-01'", DB)
    )
    files = sum(1 for _ in archive.rglob("*.jsonl.gz"))
    archive_bytes = sum(p.stat().st_size for p in archive.rglob("*.jsonl.gz"))
    result.update(
        {
            "heartbeat_before": before,
            "heartbeat_during": during,
            "ratio_before": median([r["ratio"] for r in before]),
            "ratio_during": median([r["ratio"] for r in during]),
            "rounds_measured_while_running": still_running or len(during) > 0,
            "retention_seconds": elapsed,
            "retention_output": out.strip(),
            "left_in_month": left,
            "archive_files": files,
            "archive_bytes": archive_bytes,
            "uploads": len(latencies),
            "upload_max_ms": max(latencies) * 1000 if latencies else None,
            "upload_median_ms": median(latencies) * 1000 if latencies else None,
        }
    )
    say(
        f"retention: {month:,} requests archived into {files} files ({archive_bytes / 2**20:.0f} "
        f"MiB) and deleted in {elapsed:.0f} s; {left} left"
    )
    say(
        f"heartbeat ratio before {result['ratio_before']:.2f}, while retention runs "
        f"{result['ratio_during']:.2f} (target ≥ 0.60); {len(latencies)} uploads meanwhile, "
        f"median {result['upload_median_ms']:.0f} ms, worst {result['upload_max_ms']:.0f} ms"
    )
    return result


def partitioning() -> dict:
    say("Partitioning: plain vs monthly partitions, 1,000,000 punches…")
    psql(PARTITION_SETUP, DB)
    plain = timed(f"INSERT INTO bench_punch_plain ({COLUMNS}) {ROWS}")
    parted = timed(f"INSERT INTO bench_punch_parted ({COLUMNS}) {ROWS}")
    psql("ANALYZE bench_punch_plain; ANALYZE bench_punch_parted", DB)
    judge = (
        "SELECT count(*) FROM {t} WHERE cadre_id = 777 AND punched_at >= "
        "timestamptz '2025-06-10 00:00+08' AND punched_at < timestamptz '2025-06-11 00:00+08'"
    )
    loops = "".join(judge.format(t="{t}") + ";" for _ in range(200))
    judge_plain = timed(loops.format(t="bench_punch_plain"))
    judge_parted = timed(loops.format(t="bench_punch_parted"))
    month = (
        "punched_at >= timestamptz '2025-03-01 00:00+08' "
        "AND punched_at < timestamptz '2025-04-01 00:00+08'"
    )
    in_month = int(psql(f"SELECT count(*) FROM bench_punch_plain WHERE {month}", DB))
    delete_plain = timed(
        "DO $$ DECLARE n int; BEGIN LOOP DELETE FROM bench_punch_plain WHERE id IN (SELECT id "
        f"FROM bench_punch_plain WHERE {month} LIMIT 500); GET DIAGNOSTICS n = ROW_COUNT; "
        "EXIT WHEN n = 0; COMMIT; END LOOP; END $$"
    )
    drop_parted = timed(
        "ALTER TABLE bench_punch_parted DETACH PARTITION bench_punch_parted_3; "
        "DROP TABLE bench_punch_parted_3"
    )
    result = {
        "rows": 1_000_000,
        "insert_plain_s": plain,
        "insert_partitioned_s": parted,
        "judge_200_plain_s": judge_plain,
        "judge_200_partitioned_s": judge_parted,
        "month_rows": in_month,
        "delete_month_batched_s": delete_plain,
        "drop_month_partition_s": drop_parted,
    }
    say(
        f"insert 1M: plain {plain:.1f} s, partitioned {parted:.1f} s; 200 judge queries: plain "
        f"{judge_plain * 1000:.0f} ms, partitioned {judge_parted * 1000:.0f} ms; a month "
        f"({in_month:,} rows): batched delete {delete_plain:.1f} s, drop partition "
        f"{drop_parted * 1000:.0f} ms"
    )
    psql("DROP TABLE bench_punch_plain, bench_punch_parted CASCADE", DB)
    return result


def backup_and_drill(env: dict[str, str], label: str) -> dict:
    folder = ROOT / "var" / f"bench-backups-{label}"
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    env = {**env, "JINHU_BACKUP_DIR": str(folder)}
    started = time.perf_counter()
    out = manage(env, "backup", "--no-rotate")
    backup_s = time.perf_counter() - started
    name = re.search(r"backup (jinhu-\S+):", out).group(1)
    manifest = json.loads((folder / name / "manifest.json").read_text())
    size = sum(f["size"] for f in manifest["files"].values())
    started = time.perf_counter()
    out = manage(env, "restore_drill")
    drill_s = time.perf_counter() - started
    restore_s = float(re.search(r"restored in ([\d.]+) s", out).group(1))
    rows = sum(manifest["tables"].values())
    say(
        f"{label}: {rows:,} rows; backup {backup_s:.1f} s, {size / 2**20:.1f} MiB; drill "
        f"{drill_s:.1f} s of which pg_restore {restore_s:.1f} s; {out.strip()[:80]}…"
    )
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    return {
        "rows": rows,
        "backup_s": backup_s,
        "backup_bytes": size,
        "drill_s": drill_s,
        "restore_s": restore_s,
    }


def city_sizes() -> dict:
    sizes = {}
    for table in ("attendance_punch", "attendance_dutyslot", "attendance_slotoutcome"):
        rows = int(psql(f"SELECT count(*) FROM {table}", CITY_DB))
        total = int(psql(f"SELECT pg_total_relation_size('{table}')", CITY_DB))
        sizes[table] = {"rows": rows, "bytes": total}
        say(f"city year: {table} {rows:,} rows, {total / 2**30:.2f} GiB with indexes")
    return sizes


def main() -> int:
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        say("REDIS_URL is required (the heartbeats' liveness cache, as in production).")
        return 2
    env = bench_env(DB, REDIS_URL=redis_url, JINHU_DEVICE_RATE_LIMIT="100000")
    subprocess.run(["redis-cli", "-u", redis_url, "flushdb"], check=True, capture_output=True)
    result: dict = {"retention": retention_under_load(env)}
    month = result["retention"]
    if os.environ.get("BENCH_OPS_ONLY") == "retention":
        say(f"written to {save('operations_retention', result)}")
        return 0 if month["ratio_during"] >= 0.6 and month["left_in_month"] == 0 else 1
    result["partitioning"] = partitioning()
    demo_db = "jinhu_bench_demo"
    fresh_database(demo_db)
    demo_env = bench_env(demo_db)
    manage(demo_env, "migrate", "--noinput")
    manage(demo_env, "load_demo")
    result["backup_demo"] = backup_and_drill(demo_env, "demo")
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{CITY_DB}'"):
        result["backup_city"] = backup_and_drill(bench_env(CITY_DB), "city")
        result["city_year"] = city_sizes()
        yearly = month["request_table_bytes_month"] * 12
        result["city_year"]["attendance_devicerequest"] = {
            "rows": month["requests_month"] * 12,
            "bytes": yearly,
        }
        say(
            f"city year: attendance_devicerequest ~{month['requests_month'] * 12:,} rows, "
            f"~{yearly / 2**30:.2f} GiB (twelve of part 1's month)"
        )
    else:
        say(f"{CITY_DB} is absent: run bench/scoring.py first for the city-scale figures")
    say(f"written to {save('operations', result)}")
    return 0 if month["ratio_during"] >= 0.6 and month["left_in_month"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
