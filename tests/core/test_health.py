import pytest

from jinhu import views


def test_healthz_ok(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_503_when_database_down(client, db, monkeypatch):
    def broken():
        raise OSError("connection refused")

    monkeypatch.setattr(views, "_check_database", broken)
    response = client.get("/healthz/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "error"


@pytest.mark.redis
def test_healthz_checks_redis_when_configured(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "ok"


def test_healthz_503_when_redis_unreachable(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz/")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["redis"] == "error"
    assert "ConnectionError" in body["reasons"]["redis"] and "自动补做" in body["reasons"]["redis"]
