"""Benchmark: the public village duty page under load (issue: duty rosters).

Run:  .venv/bin/python bench/public_page.py            (needs PostgreSQL, wrk; Redis optional)

What it does, all in one run on this machine:
1. a fresh PostgreSQL database ``jinhu_bench_public`` with the demo data;
2. gunicorn, 2 sync workers (2 cores), DEBUG off, persistent DB connections;
3. closed loop (wrk, 8 connections): the trivial view ``/robots.txt`` (baseline)
   and ``/duty/hongqiao/``, interleaved over several rounds; ratio per round;
4. open loop at 100 requests/s against the village page: p50/p95/p99 from
   the scheduled send times.
Targets: village page ≥ 60 % of the baseline's req/s; p95 < 50 ms at 100 req/s.
With REDIS_URL set the page cache is Redis (as in production); without it,
each worker's local memory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Gunicorn, bench_env, fresh_database, manage, median, open_loop, save, say, wrk

UNCACHED_TIMING = """
import statistics, time
from django.template.loader import render_to_string
from attendance.selectors import public_roster
from villages.models import Village
village = Village.objects.get(code="hongqiao")
times = []
for _ in range(200):
    t = time.perf_counter()
    render_to_string("duty/village.html", {"data": public_roster(village)})
    times.append((time.perf_counter() - t) * 1000)
print(statistics.median(times))
"""
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))


def main() -> int:
    db = "jinhu_bench_public"
    extra = {}
    if os.environ.get("REDIS_URL"):
        extra["REDIS_URL"] = os.environ["REDIS_URL"]
    env = bench_env(db, **extra)
    say(f"Preparing {db} (migrate, demo data, collectstatic)…")
    fresh_database(db)
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    manage(env, "collectstatic", "--noinput")
    # The uncached path for reference: building the page from the database.
    render_ms = float(manage(env, "shell", "-c", UNCACHED_TIMING).strip().splitlines()[-1])
    say(f"uncached build of the page (in-process, median of 200): {render_ms:.2f} ms")
    rounds = []
    with Gunicorn(env) as server:
        page = server.url + "/duty/hongqiao/"
        trivial = server.url + "/robots.txt"
        wrk(page, seconds=2)  # warm-up (connections, caches)
        wrk(trivial, seconds=2)
        for n in range(ROUNDS):
            base = wrk(trivial, seconds=SECONDS)
            village = wrk(page, seconds=SECONDS)
            ratio = village["rps"] / base["rps"]
            rounds.append({"trivial": base, "village_page": village, "ratio": ratio})
            say(
                f"round {n + 1}: trivial {base['rps']:.0f} req/s, village page "
                f"{village['rps']:.0f} req/s (p99 {village.get('p99_ms', 0):.1f} ms), "
                f"ratio {ratio:.2f}"
            )
        latency = open_loop(page, rate=100, seconds=SECONDS * 2)
    result = {
        "rounds": rounds,
        "median_trivial_rps": median([r["trivial"]["rps"] for r in rounds]),
        "median_page_rps": median([r["village_page"]["rps"] for r in rounds]),
        "median_ratio": median([r["ratio"] for r in rounds]),
        "min_ratio": min(r["ratio"] for r in rounds),
        "open_loop_100rps": latency,
        "uncached_build_ms": render_ms,
        "cache": "redis" if extra else "locmem",
        "non_2xx": sum(r["village_page"]["non_2xx"] + r["trivial"]["non_2xx"] for r in rounds),
    }
    path = save("public_page", result)
    say(
        f"\nmedian: trivial {result['median_trivial_rps']:.0f} req/s, village page "
        f"{result['median_page_rps']:.0f} req/s, ratio {result['median_ratio']:.2f} "
        f"(min {result['min_ratio']:.2f}; target ≥ 0.60)"
    )
    say(
        f"open loop 100 req/s: achieved {latency['achieved']:.1f}, p50 {latency['p50_ms']:.1f} ms, "
        f"p95 {latency['p95_ms']:.1f} ms, p99 {latency['p99_ms']:.1f} ms, errors "
        f"{latency['errors']} (target p95 < 50 ms)"
    )
    say(f"written to {path}")
    ok = result["median_ratio"] >= 0.6 and latency["p95_ms"] < 50 and result["non_2xx"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
