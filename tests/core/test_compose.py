import subprocess
from pathlib import Path

import pytest

from tests.conftest import _compose_binary

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "portal.example",
    "POSTGRES_PASSWORD": "secret",
    "JINHU_PUBLIC_BASE_URL": "https://portal.example",
    "PATH": "/usr/bin:/bin",
}


def _config(*args, env=ENV):
    return subprocess.run(
        [_compose_binary(), "-f", str(ROOT / "docker-compose.yml"), "config", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=ROOT,
    )


@pytest.mark.compose
def test_compose_file_is_valid_and_has_the_production_services():
    assert _config("--quiet").returncode == 0
    services = set(_config("--services").stdout.split())
    assert services == {"proxy", "web", "worker", "beat", "db", "redis"}


@pytest.mark.compose
def test_only_the_proxy_is_published_and_only_it_is_trusted():
    import json

    config = json.loads(_config("--format", "json").stdout)
    services = config["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    proxy_address = services["proxy"]["networks"]["backend"]["ipv4_address"]
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["JINHU_TRUSTED_PROXIES"] == proxy_address
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    # The proxy overwrites the header (one entry: the address it saw), never appends.
    assert "X-Forwarded-For $remote_addr;" in conf
    assert "$proxy_add_x_forwarded_for" not in conf


@pytest.mark.compose
def test_compose_requires_the_secrets():
    env = {k: v for k, v in ENV.items() if k != "POSTGRES_PASSWORD"}
    result = _config("--quiet", env=env)
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


@pytest.mark.compose
def test_backups_have_a_volume_a_tool_service_and_the_metrics_stay_inside():
    import json

    config = json.loads(
        _config("--format", "json", env={**ENV, "COMPOSE_PROFILES": "tools"}).stdout
    )
    services = config["services"]
    # The worker runs beat's nightly backup; the tool service takes one by hand.
    for name in ("worker", "backup"):
        targets = {v["target"]: v["source"] for v in services[name]["volumes"]}
        assert targets["/srv/jinhu/backups"] == "backups"
        assert services[name]["environment"]["JINHU_BACKUP_DIR"] == "/srv/jinhu/backups"
    assert services["backup"]["profiles"] == ["tools"]
    assert services["web"]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert "backups" in config["volumes"] and "archive" in config["volumes"]
    # pg_dump in the image is bookworm's 15: the server must not be newer.
    assert services["db"]["image"] == "postgres:15"
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "location = /metrics {\n        return 404;" in conf
