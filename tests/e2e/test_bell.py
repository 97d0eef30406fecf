"""A secretary on a phone sees the bell's count without opening the menu, opens the
notice, lands on what it is about, and the count goes."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from demonstration_belt.models import Finding
from jinhu.core import clock
from notifications.services import evaluate
from tests.e2e.test_reports import login


@pytest.mark.browser
def test_the_bell_on_a_phone(live_server, browser, phone_context_args, secretary_a, village_a):
    Finding.objects.create(
        village=village_a,
        description="村务公开栏未及时更新",
        owner="张三",
        deadline=clock.today() + dt.timedelta(days=10),
    )
    evaluate.evaluate_all()
    phone = browser.new_context(**phone_context_args)
    page = login(phone, live_server, "secretary-a", "/")
    bell = page.get_by_test_id("bell")
    expect(bell).to_be_visible()  # (outside the collapsed menu)
    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    expect(bell).to_have_attribute("aria-label", "提醒：1 条未读")
    box = bell.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 360
    bell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的提醒")
    notice = page.get_by_test_id("notice")
    expect(notice).to_contain_text("新的整改事项：村务公开栏未及时更新")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the inbox scrolls sideways by {overflow}px"
    notice.get_by_role("button", name="查看").click()
    page.wait_for_url(f"{live_server.url}/belt/findings/")
    expect(page.locator("main")).to_contain_text("村务公开栏未及时更新")
    expect(page.get_by_test_id("bell-count")).to_have_count(0)
    phone.close()
