"""Device requests are served without the browser's middleware, and only those."""

from tests.devices.conftest import SN
from tests.payloads import requests


def test_device_requests_skip_sessions_csp_and_audit(send, zk_clock):
    response = send(requests("zk_getrequest_devicecmd.txt")[0], query={"SN": SN})
    assert response.status_code == 200 and response.content == b"OK"
    assert "Content-Security-Policy" not in response  # (the browser stack did not run)
    assert not response.cookies
    assert response["X-Content-Type-Options"] == "nosniff"  # (the security middleware did)


def test_unknown_device_paths_are_404(client, db):
    assert client.get("/iclock/nothing-here").status_code == 404


def test_pages_still_get_the_whole_stack(client, db):
    response = client.get("/accounts/login/")
    assert "Content-Security-Policy" in response and response.cookies.get("csrftoken")
