from django.test import override_settings

from tests.factories import PASSWORD


@override_settings(AXES_FAILURE_LIMIT=5)
def test_axes_locks_out_after_repeated_failures(client, secretary_a):
    for _ in range(5):
        response = client.post(
            "/accounts/login/", {"username": "secretary-a", "password": "wrong-password"}
        )
    assert response.status_code == 429
    # Even the right password is now refused from this address.
    response = client.post("/accounts/login/", {"username": "secretary-a", "password": PASSWORD})
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()


def test_wrong_password_shows_chinese_error(client, secretary_a):
    response = client.post("/accounts/login/", {"username": "secretary-a", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_right_password_logs_in(client, secretary_a):
    response = client.post("/accounts/login/", {"username": "secretary-a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
