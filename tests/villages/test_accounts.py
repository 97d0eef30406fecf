"""Account controls: password change and its rules, the forced change after an
administrator sets a password, idle and absolute session limits, and two-factor sign-in
(required for staff, optional for secretaries) with backup codes."""

import datetime as dt
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from villages.services import accounts

NEW_PASSWORD = "Jinhu-Xin-2026"


def sign_in(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def current_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


# ---------------------------------------------------------------------------
# Passwords
# ---------------------------------------------------------------------------
def test_password_change_with_chinese_rules(client, secretary_a):
    client.force_login(secretary_a)
    page = client.get("/accounts/").content.decode()
    assert "/accounts/password/" in page
    form = {"old_password": PASSWORD}
    too_short = client.post(
        "/accounts/password/", {**form, "new_password1": "Ab1!", "new_password2": "Ab1!"}
    )
    assert "密码太短：至少需要 10 个字符" in too_short.content.decode()
    simple = client.post(
        "/accounts/password/",
        {**form, "new_password1": "jinhuxiaoqu", "new_password2": "jinhuxiaoqu"},
    )
    body = simple.content.decode()
    assert "至少 3 类" in body and "还缺：大写字母、数字、符号" in body
    wrong_old = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "旧密码" in wrong_old.content.decode()
    done = client.post(
        "/accounts/password/",
        {**form, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    secretary_a.refresh_from_db()
    assert secretary_a.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200  # (still signed in: the session was kept)


def test_a_password_set_by_an_administrator_must_be_changed_first(
    client, subdistrict_admin, secretary_a
):
    client.force_login(subdistrict_admin)
    response = client.post(
        f"/admin/auth/user/{secretary_a.pk}/password/",
        {"password1": "Temp-Mima-2026", "password2": "Temp-Mima-2026", "usable_password": "true"},
    )
    assert response.status_code == 302
    client.logout()
    assert sign_in(client, "secretary-a", "Temp-Mima-2026").status_code == 302
    for url in ("/", "/belt/reports/", "/villages/"):
        forced = client.get(url)
        assert forced.status_code == 302 and forced["Location"] == "/accounts/password/", url
    page = client.get("/accounts/password/", follow=True).content.decode()
    assert "请先修改密码" in page
    client.post(
        "/accounts/password/",
        {
            "old_password": "Temp-Mima-2026",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert client.get("/").status_code == 200
    assert not accounts.must_change_password(secretary_a)


def test_a_new_account_made_in_the_admin_starts_with_a_forced_change(client, subdistrict_admin):
    client.force_login(subdistrict_admin)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "new-cadre",
            "password1": "Chushi-Mima-2026",
            "password2": "Chushi-Mima-2026",
            "usable_password": "true",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(username="new-cadre")
    assert accounts.must_change_password(user)


# ---------------------------------------------------------------------------
# Session limits
# ---------------------------------------------------------------------------
def test_idle_timeout_signs_out_after_30_minutes_without_a_request(
    client, secretary_a, moment, settings
):
    assert settings.JINHU_IDLE_TIMEOUT_MINUTES == 30
    sign_in(client, "secretary-a")
    for _ in range(6):  # working: a request every 20 minutes for two hours
        moment.shift(dt.timedelta(minutes=20))
        assert client.get("/").status_code == 200
    moment.shift(dt.timedelta(minutes=31))
    response = client.get("/belt/reports/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "next=/belt/reports/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "30 分钟没有操作" in page
    assert client.get("/").status_code == 302  # signed out for good


def test_absolute_limit_signs_out_after_the_working_day_whatever_happens(
    client, secretary_a, moment
):
    sign_in(client, "secretary-a")
    for _ in range(16):
        moment.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200
    moment.shift(dt.timedelta(minutes=29))  # 8 h 3 min after sign-in
    response = client.get("/")
    assert response.status_code == 302
    assert "登录已满 8 小时" in client.get(response["Location"]).content.decode()


# ---------------------------------------------------------------------------
# Two-factor
# ---------------------------------------------------------------------------
@pytest.fixture
def required(settings):
    settings.JINHU_TWO_FACTOR_REQUIRED = True
    return settings


def _enrol(client, moment, next_url="/"):
    setup = client.get(f"/accounts/two-factor/setup/?next={next_url}")
    assert setup.status_code == 200
    body = setup.content.decode()
    assert "<svg" in body and 'data-testid="otp-secret"' in body
    device = TOTPDevice.objects.get(confirmed=False)
    wrong = client.post("/accounts/two-factor/setup/", {"code": "000000", "next": next_url})
    assert "验证码不正确" in wrong.content.decode()
    moment.shift(dt.timedelta(seconds=2))  # (a wrong code delays the next check by 1 s)
    done = client.post(
        "/accounts/two-factor/setup/", {"code": current_code(device), "next": next_url}
    )
    assert done.status_code == 302
    codes_page = client.get(done["Location"]).content.decode()
    codes = re.findall(r'<li class="list-group-item">([a-z2-7]{8})</li>', codes_page)
    assert len(codes) == 10
    return TOTPDevice.objects.get(confirmed=True), codes


def test_staff_must_enrol_and_then_give_a_code_at_every_sign_in(
    client, required, subdistrict_admin, moment
):
    assert sign_in(client, "admin-cast").status_code == 302
    blocked = client.get("/belt/")
    assert blocked.status_code == 302 and blocked["Location"].startswith(
        "/accounts/two-factor/setup/"
    )
    assert client.get("/admin/").status_code == 302  # the admin too
    device, codes = _enrol(client, moment, next_url="/belt/")
    assert client.get("/belt/").status_code == 200  # verified in this session

    client.post("/accounts/logout/")
    sign_in(client, "admin-cast")
    asked = client.get("/belt/")
    assert asked["Location"].startswith("/accounts/two-factor/verify/")
    wrong = client.post("/accounts/two-factor/verify/", {"code": "123456", "next": "/belt/"})
    assert "验证码不正确" in wrong.content.decode()
    moment.shift(dt.timedelta(seconds=31))
    device.refresh_from_db()
    code = current_code(device)
    ok = client.post("/accounts/two-factor/verify/", {"code": code, "next": "/belt/"})
    assert ok.status_code == 302 and ok["Location"] == "/belt/"
    assert client.get("/belt/").status_code == 200

    # A code is good once; a backup code too.
    client.post("/accounts/logout/")
    sign_in(client, "admin-cast")
    replay = client.post("/accounts/two-factor/verify/", {"code": code, "next": "/"})
    assert "验证码不正确" in replay.content.decode()
    moment.shift(dt.timedelta(seconds=31))
    assert client.post("/accounts/two-factor/verify/", {"code": codes[0]}).status_code == 302
    assert accounts.remaining_backup_codes(subdistrict_admin) == 9
    client.post("/accounts/logout/")
    sign_in(client, "admin-cast")
    moment.shift(dt.timedelta(seconds=31))
    again = client.post("/accounts/two-factor/verify/", {"code": codes[0]})
    assert "验证码不正确" in again.content.decode()


def test_wrong_codes_are_throttled_and_logged(client, required, subdistrict_admin, moment):
    from auditlog.models import LogEntry

    sign_in(client, "admin-cast")
    _enrol(client, moment)
    client.post("/accounts/logout/")
    sign_in(client, "admin-cast")
    for _ in range(3):
        response = client.post("/accounts/two-factor/verify/", {"code": "000000"})
    assert "秒后再试" in response.content.decode()
    failures = LogEntry.objects.filter(additional_data__reason="两步验证码错误")
    assert failures.count() == 3 and {f.object_repr for f in failures} == {"admin-cast"}


def test_secretaries_may_enrol_and_are_then_asked_too(client, required, secretary_a, moment):
    sign_in(client, "secretary-a")
    assert client.get("/").status_code == 200  # optional: not forced
    assert "开启两步验证" in client.get("/accounts/").content.decode()
    device, _codes = _enrol(client, moment)
    client.post("/accounts/logout/")
    sign_in(client, "secretary-a")
    assert client.get("/")["Location"].startswith("/accounts/two-factor/verify/")
    moment.shift(dt.timedelta(seconds=31))
    client.post("/accounts/two-factor/verify/", {"code": current_code(device)})
    assert client.get("/").status_code == 200
    moment.shift(dt.timedelta(seconds=31))
    off = client.post("/accounts/two-factor/disable/", {"code": current_code(device)})
    assert off.status_code == 302 and not accounts.enrolled(secretary_a)


def test_an_administrator_resets_a_lost_phone(
    client, required, subdistrict_admin, settings, moment
):
    from tests.factories import make_user
    from villages.models import Role

    staff = make_user("staff-two", Role.STAFF, display_name="街道另一人")
    sign_in(client, "staff-two")
    _enrol(client, moment)
    client.post("/accounts/logout/")
    settings.JINHU_TWO_FACTOR_REQUIRED = False  # (the administrator signs in with force_login)
    client.force_login(subdistrict_admin)
    client.post(
        "/admin/auth/user/",
        {"action": "reset_two_factor", "_selected_action": [staff.pk]},
    )
    assert not accounts.enrolled(staff)
    client.logout()
    settings.JINHU_TWO_FACTOR_REQUIRED = True
    sign_in(client, "staff-two")
    assert client.get("/")["Location"].startswith("/accounts/two-factor/setup/")


def test_the_admin_has_no_password_only_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_demo_staff_sign_in_with_the_published_key(client, required, db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    from io import StringIO

    out = StringIO()
    call_command("demo_otp", stdout=out)
    codes = dict(line.split()[:2] for line in out.getvalue().splitlines())
    assert set(codes) == {"admin", "jiedao"} and all(len(c) == 6 for c in codes.values())
    client.post("/accounts/login/", {"username": "jiedao", "password": "jinhu-demo-2026"})
    assert client.get("/")["Location"].startswith("/accounts/two-factor/verify/")
    client.post("/accounts/two-factor/verify/", {"code": codes["jiedao"]})
    assert client.get("/").status_code == 200
    # Secretaries are not asked (optional, not enrolled).
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "shuji-hongqiao", "password": "jinhu-demo-2026"})
    assert client.get("/").status_code == 200


def test_the_readme_prints_the_demo_key_as_the_setup_page_does():
    from pathlib import Path

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from villages.demo import DEMO_TOTP_KEY

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert accounts.secret_text(TOTPDevice(key=DEMO_TOTP_KEY)) in readme
