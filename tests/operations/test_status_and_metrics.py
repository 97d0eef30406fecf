"""The 系统状态 page (staff and administrators; red items say what to do) and the
Prometheus endpoint (configured addresses or a token only; the documented series)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse

from jinhu.core import clock
from operations import selectors
from operations.models import BackupRun, DrillRun, Heartbeat, TaskTally
from operations.services import heartbeats

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker(settings, monkeypatch):
    """As in production: a broker (so worker and beat are separate processes)."""
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    monkeypatch.setattr(selectors, "queue_depth", lambda: 3)


def fresh_heartbeats(minutes_ago_worker=0.5, minutes_ago_beat=0.2):
    now = clock.now()
    Heartbeat.objects.update_or_create(
        name="worker", defaults={"beat_at": now - dt.timedelta(minutes=minutes_ago_worker)}
    )
    Heartbeat.objects.update_or_create(
        name="beat", defaults={"beat_at": now - dt.timedelta(minutes=minutes_ago_beat)}
    )


def item(response, key):
    match = re.search(rf'data-testid="status-{key}" data-state="(\w+)"', response.content.decode())
    assert match, f"no status item {key}"
    return match.group(1)


def test_only_staff_and_administrators_see_the_status_page(client, subdistrict_admin, secretary_a):
    url = reverse("operations:status")
    client.force_login(secretary_a)
    assert client.get(url).status_code == 403
    assert url not in client.get(reverse("home")).content.decode()
    client.force_login(subdistrict_admin)
    page = client.get(url)
    assert page.status_code == 200 and "系统状态" in page.content.decode()
    assert url in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_the_page_goes_red_when_the_workers_heartbeat_is_stale(client, subdistrict_admin, broker):
    client.force_login(subdistrict_admin)
    fresh_heartbeats()
    page = client.get(reverse("operations:status"))
    assert item(page, "worker") == "ok" and item(page, "beat") == "ok"

    fresh_heartbeats(minutes_ago_worker=10)
    page = client.get(reverse("operations:status"))
    body = page.content.decode()
    assert item(page, "worker") == "bad" and item(page, "beat") == "ok"
    assert 'data-testid="status-bad"' in body and "后台任务进程" in body
    assert "docker compose restart worker" in body  # what to do, in the item


@pytest.mark.django_db
def test_no_heartbeat_at_all_is_red_and_says_so(client, subdistrict_admin, broker):
    client.force_login(subdistrict_admin)
    page = client.get(reverse("operations:status"))
    assert item(page, "worker") == "bad" and item(page, "beat") == "bad"
    assert "从未收到心跳" in page.content.decode()


@pytest.mark.django_db
def test_without_a_broker_the_processes_are_explained_not_red(client, subdistrict_admin, settings):
    settings.REDIS_URL = ""
    client.force_login(subdistrict_admin)
    page = client.get(reverse("operations:status"))
    assert item(page, "worker") == "info"
    assert "演示和开发模式" in page.content.decode()


@pytest.mark.django_db
def test_backups_drills_devices_and_quarantine_on_the_page(
    client, subdistrict_admin, broker, village_a
):
    from attendance.models import Device

    client.force_login(subdistrict_admin)
    fresh_heartbeats()
    now = clock.now()
    page = client.get(reverse("operations:status"))
    assert item(page, "backup") == "bad" and item(page, "drill") == "bad"

    BackupRun.objects.create(
        started_at=now - dt.timedelta(hours=3), ok=True, name="jinhu-x", vendor="sqlite"
    )
    DrillRun.objects.create(started_at=now - dt.timedelta(hours=1), ok=True, backup_name="jinhu-x")
    Device.objects.create(
        village=village_a,
        kind="zk_clock",
        serial_number="SILENT1",
        status="active",
        last_seen_at=now - dt.timedelta(hours=5),
        name="村委会考勤机",
    )
    page = client.get(reverse("operations:status"))
    body = page.content.decode()
    assert item(page, "backup") == "ok" and item(page, "drill") == "ok"
    assert item(page, "devices") == "bad" and "村委会考勤机" in body

    DrillRun.objects.create(
        started_at=now,
        ok=False,
        backup_name="jinhu-x",
        error="备份文件 db.sqlite3 的校验和与清单不符",
    )
    page = client.get(reverse("operations:status"))
    assert item(page, "drill") == "bad" and "校验和与清单不符" in page.content.decode()


@pytest.mark.django_db
def test_a_stale_unparsed_request_is_red(client, subdistrict_admin, broker, village_a):
    from attendance.models import Device, DeviceRequest

    device = Device.objects.create(
        village=village_a, kind="zk_clock", serial_number="Q1", status="active"
    )
    DeviceRequest.objects.create(
        device=device,
        protocol="zk",
        kind="attlog",
        method="POST",
        path="/iclock/cdata",
        received_at=clock.now() - dt.timedelta(minutes=30),
        status="accepted",
    )
    client.force_login(subdistrict_admin)
    assert item(client.get(reverse("operations:status")), "unparsed") == "bad"


# ---------------------------------------------------------------------------
# /metrics
# ---------------------------------------------------------------------------
def documented_series() -> list[str]:
    text = (ROOT / "docs" / "operations.md").read_text()
    section = text.split("## Metrics", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(jinhu_[a-z_]+)`", section, flags=re.M)


@pytest.mark.django_db
def test_metrics_refuse_an_address_not_configured(client, settings):
    settings.JINHU_METRICS_ALLOWED = ["10.20.0.0/16"]
    settings.JINHU_METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 403
    assert b"jinhu_" not in response.content
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200


@pytest.mark.django_db
def test_metrics_with_a_token(client, settings):
    settings.JINHU_METRICS_ALLOWED = []
    settings.JINHU_METRICS_TOKEN = "s3cret-token-for-prometheus"
    assert client.get("/metrics", REMOTE_ADDR="8.8.8.8").status_code == 403
    wrong = client.get("/metrics", REMOTE_ADDR="8.8.8.8", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403
    right = client.get(
        "/metrics", REMOTE_ADDR="8.8.8.8", HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus"
    )
    assert right.status_code == 200


@pytest.mark.django_db
def test_metrics_show_the_documented_series(client, settings, broker, village_a, subdistrict_admin):
    from attendance.models import Device, DeviceRequest, QuarantinedLine

    settings.JINHU_METRICS_ALLOWED = ["127.0.0.1"]
    now = clock.now()
    fresh_heartbeats()
    BackupRun.objects.create(
        started_at=now, ok=True, name="jinhu-x", vendor="sqlite", size_bytes=10
    )
    DrillRun.objects.create(started_at=now, ok=True, backup_name="jinhu-x")
    device = Device.objects.create(
        village=village_a, kind="zk_clock", serial_number="M1", status="active"
    )
    request = DeviceRequest.objects.create(
        device=device,
        protocol="zk",
        kind="attlog",
        method="POST",
        path="/iclock/cdata",
        received_at=now - dt.timedelta(seconds=40),
        parsed_at=now - dt.timedelta(seconds=38),
        status="accepted",
    )
    QuarantinedLine.objects.create(request=request, device=device, line_no=1, raw="x", reason="y")
    heartbeats.task_failure_note("attendance.request_parse", "OperationalError: gone")
    heartbeats.task_retry_note("attendance.request_parse")
    client.force_login(subdistrict_admin)
    client.get(reverse("home"))  # a request for the latency series

    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    series = documented_series()
    assert len(series) >= 15
    for name in series:
        assert re.search(rf"^{name}(_bucket|_count|_sum|_total)?[{{ ]", body, flags=re.M), name
    assert 'jinhu_devices{state="never"} 1.0' in body
    assert "jinhu_quarantine_open_lines 1.0" in body
    assert 'jinhu_task_failures_total{task="attendance.request_parse"} 1.0' in body
    assert 'view="home"' in body


@pytest.mark.django_db
def test_task_failures_and_retries_are_counted_by_the_signals():
    from celery import shared_task

    @shared_task(name="tests.always_fails")
    def always_fails():
        raise RuntimeError("boom")

    # As in the worker, which does not raise a task's error to its caller.
    always_fails.apply(throw=False)
    tally = TaskTally.objects.get(name="tests.always_fails")
    assert tally.failures == 1 and "boom" in tally.last_error
    # A retry is signalled by the worker's request handler (eager mode retries inline).
    from celery import signals

    signals.task_retry.send(sender=always_fails, request=None, reason="again", einfo=None)
    tally = TaskTally.objects.get(name="tests.always_fails")
    assert tally.retries == 1 and tally.failures == 1


@pytest.mark.django_db
def test_the_heartbeat_task_writes_the_workers_heartbeat():
    from operations.tasks import heartbeat

    heartbeat.apply()
    assert Heartbeat.objects.get(name="worker").detail == {"event": "task"}


@pytest.mark.django_db
def test_beats_scheduler_writes_its_heartbeat_as_it_ticks(tmp_path, monkeypatch):
    from celery.beat import PersistentScheduler

    from jinhu.celery import app
    from operations.beat import HeartbeatScheduler

    # Nothing due for five minutes (the schedule itself is Celery's business).
    monkeypatch.setattr(PersistentScheduler, "tick", lambda self, *a, **k: 300.0)
    scheduler = HeartbeatScheduler(app=app, schedule_filename=str(tmp_path / "beat"), lazy=True)
    assert scheduler.tick() == 30.0  # ticks often enough to keep the heartbeat fresh
    first = Heartbeat.objects.get(name="beat").beat_at
    scheduler.tick()  # within 30 s: not written again
    assert Heartbeat.objects.get(name="beat").beat_at == first


@pytest.mark.django_db
def test_metrics_still_answer_when_the_state_cannot_be_read(client, settings, monkeypatch):
    settings.JINHU_METRICS_ALLOWED = ["127.0.0.1"]

    def broken(now):
        raise RuntimeError("database gone")

    monkeypatch.setattr(selectors, "device_states", broken)
    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert "jinhu_state_ok 0.0" in body
    assert "jinhu_devices" not in body


@pytest.mark.django_db
def test_cameras_are_not_counted_as_attendance_devices(client, subdistrict_admin, village_a):
    from attendance.models import Device

    Device.objects.create(village=village_a, kind="camera", status="active", name="村口摄像机")
    Device.objects.create(village=village_a, kind="zk_clock", serial_number="N1", status="active")
    client.force_login(subdistrict_admin)
    body = client.get(reverse("operations:status")).content.decode()
    assert "正常 0 台，失联 0 台，从未连接 1 台" in body and "村口摄像机" not in body


@pytest.mark.django_db
def test_under_gunicorn_the_request_series_come_from_every_worker(
    client, settings, tmp_path, monkeypatch
):
    """With PROMETHEUS_MULTIPROC_DIR the endpoint merges the workers' files (here: one
    worker's file, written by prometheus-client's multiprocess value class)."""
    from prometheus_client import CollectorRegistry
    from prometheus_client import Counter as PromCounter
    from prometheus_client.values import MultiProcessValue

    settings.JINHU_METRICS_ALLOWED = ["127.0.0.1"]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    # A sample as another gunicorn worker (pid 4242) would have written it.
    monkeypatch.setattr("prometheus_client.values.ValueClass", MultiProcessValue(lambda: 4242))
    other = PromCounter(
        "jinhu_http_responses", "x", ["view", "method", "status"], registry=CollectorRegistry()
    )
    other.labels("home", "GET", "2xx").inc(7)
    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'jinhu_http_responses_total{method="GET",status="2xx",view="home"} 7.0' in body
    assert "jinhu_state_ok 1.0" in body
