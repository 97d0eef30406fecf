import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from attendance.models import DutyRules, PinMapping, RotationEntry, SlotOutcome
from attendance.services.devices import device_register
from attendance.services.rosters import slots_materialize
from tests.factories import CadreFactory
from tests.payloads import RawRequest

SN = "CQZ7231360123"
MAC = "c0:56:e3:12:34:56"


@pytest.fixture
def staff(subdistrict_admin):
    return subdistrict_admin


@pytest.fixture
def zk_clock(village_a, staff):
    device, _token = device_register(
        actor=staff,
        kind="zk_clock",
        village=village_a,
        serial_number=SN,
        installed_on=dt.date(2025, 1, 1),
        location="村委会值班室",
    )
    for pin, name in (("1001", "刘一"), ("1002", "陈二"), ("1003", "张三"), ("0015", "零十五")):
        PinMapping.objects.create(
            device=device, pin=pin, cadre=CadreFactory(village=village_a, name=name)
        )
    return device


@pytest.fixture
def hik_terminal(village_a, staff):
    device, token = device_register(
        actor=staff,
        kind="hik_terminal",
        village=village_a,
        mac_address=MAC,
        installed_on=dt.date(2025, 1, 1),
    )
    device.plain_token = token
    return device


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Send a raw device request through the real views; tasks run on commit."""

    def _send(raw, *, path=None, query=None, remote="192.168.1.201"):
        from urllib.parse import urlencode

        url = path or raw.path
        q = raw.query if query is None else query
        if q:
            url += "?" + urlencode(q)
        with django_capture_on_commit_callbacks(execute=True):
            if raw.method == "GET":
                return client.get(url, REMOTE_ADDR=remote)
            return client.generic(
                raw.method,
                url,
                raw.body,
                content_type=raw.content_type or "text/plain",
                REMOTE_ADDR=remote,
            )

    return _send


# ---------------------------------------------------------------------------
# A real Celery worker (a separate process group, so that it can be killed whole)
# ---------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, seconds=60.0, interval=0.3) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


class WorkerProcess:
    def __init__(self, env: dict[str, str], concurrency: int) -> None:
        self.env, self.concurrency, self.proc = env, concurrency, None

    def start(self) -> None:
        from jinhu.celery import app

        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "jinhu",
                "worker",
                "-P",
                "prefork" if self.concurrency > 1 else "solo",
                "-c",
                str(self.concurrency),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if not wait_for(lambda: bool(app.control.ping(timeout=1)) or self.proc.poll() is not None):
            self.stop()
            pytest.fail("the Celery worker did not answer a ping within 60 s")
        if self.proc.poll() is not None:
            pytest.fail("the Celery worker exited: " + self.proc.stdout.read().decode()[-2000:])

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as a crash would."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)


@pytest.fixture
def worker_process(transactional_db, settings):
    """A factory: ``worker_process(concurrency=2)`` returns a WorkerProcess, not started.

    Tasks are sent to the real broker (no eager mode) from the test process.
    """
    from jinhu.celery import app
    from jinhu.core import queue

    app.conf.task_always_eager = False
    queue.reset()
    app.control.purge()
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env["REDIS_URL"] = settings.REDIS_URL
    started: list[WorkerProcess] = []

    def make(concurrency: int = 1) -> WorkerProcess:
        worker = WorkerProcess(env, concurrency)
        started.append(worker)
        return worker

    yield make
    for worker in started:
        worker.stop()


# ---------------------------------------------------------------------------
# A village on duty, for judging
# ---------------------------------------------------------------------------
@pytest.fixture
def duty(zk_clock, village_a):
    """刘一 (PIN 1001) sits full days Mon-Fri in village A; clock zk_clock."""
    from villages.models import Cadre

    DutyRules.objects.create(village=village_a)
    liu = Cadre.objects.get(name="刘一")
    for weekday in range(5):
        RotationEntry.objects.create(
            village=village_a,
            cadre=liu,
            weekday=weekday,
            part="full",
            valid_from=dt.date(2026, 9, 1),
        )
    slots_materialize(
        village=village_a,
        start=dt.date(2026, 9, 28),
        end=dt.date(2026, 11, 30),
        include_started=True,
    )
    return {"village": village_a, "liu": liu, "clock": zk_clock}


def attlog(send, lines):
    body = "".join(f"1001\t{t}\t0\t1\t0\t0\t0\n" for t in lines).encode()
    raw = RawRequest("POST", "/iclock/cdata", {"SN": "CQZ7231360123", "table": "ATTLOG"}, {}, body)
    return send(raw)


def outcome(village, day):
    return SlotOutcome.objects.get(village=village, day=day)
