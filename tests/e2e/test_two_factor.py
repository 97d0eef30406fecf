"""Two-factor sign-in in Chromium: a staff member enrols from a phone by typing the key
into an "app" (computed here, as an authenticator app would), keeps the backup codes,
then signs in again with a fresh code, and once with a backup code."""

import base64
import datetime as dt
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.factories import PASSWORD


def app_code(secret_text: str) -> str:
    """What an authenticator app shows for the key as the page printed it."""
    secret = secret_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time()
    return f"{totp.token():06d}"


def password_step(context, live_server, next_url):
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("用户名").fill("admin-cast")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


@pytest.mark.browser
def test_enrol_then_sign_in_with_a_code_and_with_a_backup_code(
    live_server, browser, phone_context_args, subdistrict_admin, settings, moment
):
    settings.JINHU_TWO_FACTOR_REQUIRED = True
    phone = browser.new_context(**phone_context_args)
    page = password_step(phone, live_server, "/belt/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("开启两步验证")
    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("otp-secret").inner_text()
    page.get_by_label("验证码").fill(app_code(secret))
    page.get_by_role("button", name="完成绑定").click()
    codes = page.get_by_test_id("backup-codes").locator("li")
    expect(codes).to_have_count(10)
    backup = codes.first.inner_text().strip()
    page.get_by_role("link", name="继续").click()
    expect(page).to_have_url(f"{live_server.url}/belt/")
    phone.close()

    moment.shift(dt.timedelta(seconds=31))  # (a code is good once: wait for the next)
    desk = browser.new_context()
    page = password_step(desk, live_server, "/belt/")
    expect(page.get_by_role("heading", level=1)).to_have_text("两步验证")
    page.get_by_label("验证码").fill("000000")
    page.get_by_role("button", name="验证").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("验证码不正确")
    moment.shift(dt.timedelta(seconds=2))  # (past the one-second delay after a wrong code)
    page.get_by_label("验证码").fill(app_code(secret))
    page.get_by_role("button", name="验证").click()
    expect(page).to_have_url(f"{live_server.url}/belt/")
    desk.close()

    other = browser.new_context()
    page = password_step(other, live_server, "/")
    page.get_by_label("验证码").fill(backup)
    page.get_by_role("button", name="验证").click()
    expect(page.locator(".alert-warning")).to_contain_text("还剩 9 个")
    other.close()
