import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from jinhu.core.envparse import EnvReader

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("name", "value", "method", "kwargs"),
    [
        ("X_BOOL", "maybe", "bool", {"default": False}),
        ("X_INT", "sixty", "int", {"default": 60}),
        ("X_DB", "mysql://u@h/db", "db_url", {"default": "sqlite:///x"}),
        ("X_DB", "postgres://u@h:notaport/db", "db_url", {"default": "sqlite:///x"}),
    ],
)
def test_malformed_variable_names_itself(monkeypatch, name, value, method, kwargs):
    """A malformed value raises ImproperlyConfigured naming the variable."""
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        getattr(EnvReader(), method)(name, **kwargs)


def test_well_formed_values_parse(monkeypatch):
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_INT", "30")
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    env = EnvReader()
    assert env.bool("X_BOOL", default=False) is True
    assert env.int("X_INT", default=0) == 30
    assert env.list("X_LIST", default=[]) == ["a.example", "b.example"]
    assert env.db_url("NOT_SET_DB", default="postgres://u@h:5433/db")["PORT"] == 5433


def _import_settings(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "-c", "import jinhu.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_module_refuses_malformed_debug():
    """The real settings module stops with a clear message, not a silent default."""
    result = _import_settings(DEBUG="maybe", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "DEBUG='maybe' is not valid" in result.stderr


def test_secret_key_required_without_debug():
    result = _import_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_debug_has_a_development_key():
    assert _import_settings(DEBUG="true").returncode == 0


def test_a_typo_in_the_proxy_list_or_a_short_audit_window_stops_the_start():
    typo = _import_settings(DEBUG="true", JINHU_TRUSTED_PROXIES="10.0.0.5,10.0.0.300")
    assert typo.returncode != 0 and "JINHU_TRUSTED_PROXIES" in typo.stderr
    short = _import_settings(DEBUG="true", JINHU_AUDIT_KEEP_DAYS="90")
    assert short.returncode != 0 and "JINHU_AUDIT_KEEP_DAYS" in short.stderr


def test_production_settings_pass_check_deploy():
    """``manage.py check --deploy`` with the production defaults (no DEBUG) has nothing
    to say, warnings included."""
    # (only what a production host sets: the test run's own variables, such as
    # SECURE_HTTPS=false for the live server, are not production's)
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(
        SECRET_KEY="k" * 30 + "Z9!q" * 10,
        ALLOWED_HOSTS="portal.example",
        JINHU_TRUSTED_PROXIES="172.31.240.10",
        JINHU_PUBLIC_BASE_URL="https://portal.example",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000/", True),
        ("http://[::1]:8000", True),
        ("http://0.0.0.0:8000", True),
        ("", True),
        ("https://portal.jinhu.example", False),
        ("http://192.168.1.20:8000", False),
    ],
)
def test_a_poster_address_for_this_machine_only_is_recognised(url, local):
    from jinhu.core.addresses import is_local_only

    assert is_local_only(url) is local


def test_a_loopback_poster_address_is_a_system_error_without_debug(settings):
    from attendance.apps import public_base_url_check

    settings.DEBUG = False
    settings.JINHU_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    errors = public_base_url_check()
    assert [e.id for e in errors] == ["attendance.E001"] and "二维码" in errors[0].msg
    settings.DEBUG = True
    assert public_base_url_check() == []
    settings.DEBUG = False
    settings.JINHU_PUBLIC_BASE_URL = "https://portal.jinhu.example"
    assert public_base_url_check() == []


def test_the_poster_warns_in_red_when_its_qr_code_points_at_this_machine(
    client, settings, village_a
):
    settings.JINHU_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    page = client.get(f"/duty/{village_a.code}/poster/").content.decode()
    assert 'data-testid="poster-url-warning"' in page and "127.0.0.1" in page
    settings.JINHU_PUBLIC_BASE_URL = "https://portal.jinhu.example"
    page = client.get(f"/duty/{village_a.code}/poster/").content.decode()
    assert "poster-url-warning" not in page


def test_quiet_hours_and_the_digest_hour_must_read_as_times():
    bad = _import_settings(DEBUG="true", JINHU_NOTIFY_QUIET_HOURS="22-7")
    assert bad.returncode != 0 and "JINHU_NOTIFY_QUIET_HOURS='22-7' is not valid" in bad.stderr
    bad = _import_settings(DEBUG="true", JINHU_NOTIFY_DIGEST_AT="8.30")
    assert bad.returncode != 0 and "JINHU_NOTIFY_DIGEST_AT" in bad.stderr
    none = _import_settings(DEBUG="true", JINHU_NOTIFY_QUIET_HOURS="")
    assert none.returncode == 0, none.stderr
    bad = _import_settings(DEBUG="true", EMAIL_URL="mailto:x@y")
    assert bad.returncode != 0 and "EMAIL_URL" in bad.stderr
