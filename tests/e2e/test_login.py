import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD


@pytest.mark.browser
def test_login_through_the_real_page_shows_the_chinese_dashboard(live_server, page, secretary_a):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("用户名").fill("secretary-a")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎，甲村书记")
    expect(page.get_by_test_id("village-cards")).to_contain_text("甲村")
    assert page.evaluate("navigator.language") == "zh-CN"
