"""The Prometheus series: request rates and latencies by view (middleware), and the
portal's state read from the database at scrape time (a collector).

Request metrics live in this process's registry; under gunicorn with several workers
set ``PROMETHEUS_MULTIPROC_DIR`` (an empty folder, emptied at start) and every worker
writes its samples there, which the endpoint merges (prometheus-client's multiprocess
mode; gunicorn.conf.py marks a dead worker's files). The state series are computed per
scrape from the same selectors as the status page, so they are the same in every
process and need no multiprocess handling.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from jinhu.core import clock

log = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "jinhu_http_request_duration_seconds",
    "Time to answer a request, by view",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RESPONSES = Counter(
    "jinhu_http_responses",
    "Responses by view and status class",
    ["view", "method", "status"],
)

#: the device protocol paths, answered before URL resolution
_DEVICE_PREFIXES = (("/iclock/", "device:zkteco"), ("/hik/", "device:hikvision"))
_METHODS = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"}


def view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        return match.view_name
    for prefix, label in _DEVICE_PREFIXES:
        if request.path.startswith(prefix):
            return label
    return "other"  # unresolved paths (404s): one label, whatever scanners try


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        began = time.perf_counter()
        response = self.get_response(request)
        view = view_label(request)
        method = request.method if request.method in _METHODS else "other"
        REQUEST_SECONDS.labels(view, method).observe(time.perf_counter() - began)
        RESPONSES.labels(view, method, f"{response.status_code // 100}xx").inc()
        return response


class PortalCollector(Collector):
    """The state series, read at scrape time (docs/operations.md lists them)."""

    def collect(self) -> Iterator[Any]:
        """The state series, and ``jinhu_state_ok`` 1; if the database cannot be read,
        only ``jinhu_state_ok`` 0 (the request series still come)."""
        try:
            families = list(self._state())
        except Exception:
            log.exception("metrics: the portal's state could not be read")
            families = []
        yield GaugeMetricFamily(
            "jinhu_state_ok",
            "1 if the portal's state could be read for this scrape",
            int(bool(families)),
        )
        yield from families

    def _state(self) -> Iterator[Any]:
        from attendance import selectors as attendance_selectors
        from operations import selectors

        now = clock.now()
        states, _ = selectors.device_states(now)
        devices = GaugeMetricFamily(
            "jinhu_devices",
            "Active attendance devices by contact state (ok, silent, never)",
            labels=["state"],
        )
        for state in ("ok", "silent", "never"):
            devices.add_metric([state], states.get(state, 0))
        yield devices

        health = attendance_selectors.ingest_health(now)
        yield GaugeMetricFamily(
            "jinhu_ingest_unparsed_requests",
            "Stored device requests not yet parsed",
            health.unparsed,
        )
        oldest = (
            (now - health.oldest_unparsed_at).total_seconds() if health.oldest_unparsed_at else 0.0
        )
        yield GaugeMetricFamily(
            "jinhu_ingest_oldest_unparsed_age_seconds",
            "Age of the oldest unparsed device request (0 when none)",
            oldest,
        )
        if health.parse_lag_seconds is not None:
            yield GaugeMetricFamily(
                "jinhu_ingest_parse_lag_seconds",
                "Mean seconds from receipt to parse, requests parsed in the last 15 minutes",
                health.parse_lag_seconds,
            )
        yield GaugeMetricFamily(
            "jinhu_quarantine_open_lines",
            "Quarantined lines not yet resolved",
            health.quarantine_open,
        )
        yield GaugeMetricFamily(
            "jinhu_device_requests_stored",
            "Raw device requests in the database (estimate on PostgreSQL)",
            health.requests_stored,
        )

        depth = selectors.queue_depth()
        if depth is not None:
            yield GaugeMetricFamily("jinhu_queue_depth", "Celery messages waiting", depth)

        failures = CounterMetricFamily(
            "jinhu_task_failures", "Celery task failures, by task", labels=["task"]
        )
        retries = CounterMetricFamily(
            "jinhu_task_retries", "Celery task retries, by task", labels=["task"]
        )
        for tally in selectors.task_tallies():
            failures.add_metric([tally.name], tally.failures)
            retries.add_metric([tally.name], tally.retries)
        yield failures
        yield retries

        ages = selectors.heartbeat_ages(now)
        heartbeat = GaugeMetricFamily(
            "jinhu_heartbeat_age_seconds",
            "Seconds since the worker's or beat's last heartbeat (absent: never)",
            labels=["process"],
        )
        for name, age in ages.items():
            if age is not None:
                heartbeat.add_metric([name], age)
        yield heartbeat
        if ages.get("beat") is not None:
            yield GaugeMetricFamily(
                "jinhu_beat_last_tick_age_seconds", "Seconds since beat last ticked", ages["beat"]
            )

        good = selectors.last_good_backup()
        if good is not None:
            yield GaugeMetricFamily(
                "jinhu_backup_last_success_timestamp_seconds",
                "When the last successful backup started (Unix time)",
                good.started_at.timestamp(),
            )
            yield GaugeMetricFamily(
                "jinhu_backup_last_size_bytes",
                "Size of the last successful backup",
                good.size_bytes,
            )
        latest = selectors.last_backup()
        if latest is not None:
            yield GaugeMetricFamily(
                "jinhu_backup_last_ok", "1 if the last backup run succeeded", int(latest.ok)
            )
        drill = selectors.last_drill()
        if drill is not None:
            yield GaugeMetricFamily(
                "jinhu_restore_drill_last_timestamp_seconds",
                "When the last restore drill started (Unix time)",
                drill.started_at.timestamp(),
            )
            yield GaugeMetricFamily(
                "jinhu_restore_drill_ok", "1 if the last restore drill passed", int(drill.ok)
            )


def registry() -> CollectorRegistry:
    """What one scrape exposes: request metrics (merged across processes when
    PROMETHEUS_MULTIPROC_DIR is set, else this process's) and the state series."""
    from prometheus_client import REGISTRY, multiprocess

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        scrape = CollectorRegistry()
        multiprocess.MultiProcessCollector(scrape)
    else:
        scrape = CollectorRegistry()
        scrape.register(_ProcessRequests(REGISTRY))
    scrape.register(PortalCollector())
    return scrape


class _ProcessRequests(Collector):
    """This process's request metrics (the default registry also holds process and
    platform series, which are exposed too)."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Any]:
        yield from self.source.collect()
