"""Shared pieces of the benchmarks: a PostgreSQL database, gunicorn, wrk, open-loop latency.

Benchmarks compare ratios measured in the same run against a baseline, never
absolute numbers: these machines are shared and noisy. Every benchmark prints
its figures and writes them as JSON under var/bench/.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")


def bench_env(db_name: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        SECURE_HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db_name}",
        STATIC_ROOT=str(ROOT / "var" / "bench-static"),
        LOG_LEVEL="WARNING",
        # Not loopback: the deployment check (attendance.E001) refuses it with DEBUG off.
        JINHU_PUBLIC_BASE_URL="https://portal.bench.example",
        # Pages are measured, not the second factor their staff sign in with.
        JINHU_TWO_FACTOR_REQUIRED="false",
    )
    env.update(extra)
    return env


def psql(sql: str, db: str = "postgres", *, stdin: bytes | None = None) -> str:
    """Run ``sql`` with psql (``stdin`` feeds a ``COPY … FROM STDIN``); return its output."""
    done = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            db,
            "-v",
            "ON_ERROR_STOP=1",
            "-qtAc",
            sql,
        ],
        input=stdin,
        capture_output=True,
    )
    if done.returncode:
        raise RuntimeError(f"psql failed ({done.returncode}): {done.stderr.decode().strip()}")
    return done.stdout.decode().strip()


def fresh_database(name: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn with sync workers on 127.0.0.1, as in production (2 cores → 2 workers)."""

    def __init__(self, env: dict[str, str], workers: int = 2) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        access_log = "-" if os.environ.get("BENCH_LOG") else "/dev/null"
        self.proc = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "jinhu.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--access-logfile",
                access_log,
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/robots.txt", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def wrk(
    url: str,
    *,
    seconds: int = 10,
    connections: int = 8,
    threads: int = 1,
    script: str | None = None,
) -> dict[str, float]:
    """Closed-loop throughput with wrk; returns req/s and latency percentiles (ms)."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    result = {"rps": rps, "non_2xx": int(non2xx.group(1)) if non2xx else 0}
    for pct in ("50", "90", "99"):
        m = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        if m:
            value = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
            result[f"p{pct}_ms"] = value
    return result


def open_loop(url: str, *, rate: float, seconds: float, workers: int = 16) -> dict[str, float]:
    """Requests at a fixed rate (evenly spaced); latency from the scheduled send time.

    Measuring from the schedule rather than the actual send avoids coordinated
    omission: a slow server makes later requests late, and that lateness counts.
    """
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        for i in counter:
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                conn.request("GET", parts.path or "/")
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                ok = False
            elapsed = (time.perf_counter() - due) * 1000
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    achieved = len(latencies) / (time.perf_counter() - start)
    return {
        "rate": rate,
        "achieved": achieved,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "errors": errors,
    }


def median(values: list[float]) -> float:
    return statistics.median(values)


def save(name: str, data: dict) -> Path:
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    return path


def say(*parts: object) -> None:
    print(*parts, file=sys.stdout, flush=True)


def cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by each kind of process on the machine (Linux /proc):
    PostgreSQL backends, gunicorn, Celery, Redis, other Python (this benchmark)."""
    tick = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        ticks = sum(int(x) for x in fields[11:15])  # utime, stime, and of waited-for children
        kind = next(
            (k for k in ("postgres", "gunicorn", "celery", "redis", "python") if k in cmd), "other"
        )
        totals[kind] = totals.get(kind, 0.0) + ticks / tick
    return totals


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {
        k: round(after[k] - before.get(k, 0.0), 2)
        for k in sorted(after)
        if after[k] - before.get(k, 0.0) >= 0.05
    }
