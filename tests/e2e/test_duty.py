"""Browser tests of the duty pages on a phone (360×740, zh-CN, Asia/Shanghai)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attendance.models import RotationEntry
from attendance.services.rosters import slots_materialize
from tests.factories import PASSWORD, CadreFactory


@pytest.fixture
def on_call_village(village_a):
    """Two cadres on call on today's and tomorrow's weekday (any day, holiday or not)."""
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    first = CadreFactory(village=village_a, name="值班甲", private_phone="13700000001")
    second = CadreFactory(village=village_a, name="值班乙", private_phone="13700000002")
    for cadre, day in ((first, today), (second, tomorrow)):
        RotationEntry.objects.create(
            village=village_a,
            cadre=cadre,
            weekday=day.weekday(),
            part="full",
            kind="on_call",
            valid_from=today - dt.timedelta(days=7),
        )
    slots_materialize(
        village=village_a, start=today, end=today + dt.timedelta(days=7), include_started=True
    )
    return {
        "village": village_a,
        "first": first,
        "second": second,
        "today": today,
        "tomorrow": tomorrow,
    }


@pytest.mark.browser
def test_resident_opens_the_page_from_the_poster(
    live_server, browser, phone_context_args, on_call_village, settings
):
    settings.JINHU_PUBLIC_BASE_URL = live_server.url
    context = browser.new_context(**phone_context_args)
    page = context.new_page()
    page.goto(f"{live_server.url}/duty/village-a/poster/")
    expect(page.get_by_test_id("poster-table")).to_contain_text("值班甲")
    link = page.get_by_test_id("poster-link")
    assert link.get_attribute("href") == f"{live_server.url}/duty/village-a/"
    link.click()
    today = page.get_by_test_id("today")
    expect(today).to_contain_text("值班甲")
    expect(today).to_contain_text("值班电话")
    expect(page.locator("body")).not_to_contain_text("13700000001")
    assert page.evaluate("window.innerWidth") == 360
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Asia/Shanghai"
    context.close()


@pytest.mark.browser
def test_secretary_swaps_two_days_from_a_phone(
    live_server, browser, phone_context_args, on_call_village, secretary_a
):
    context = browser.new_context(**phone_context_args)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/attendance/village-a/roster/")
    page.get_by_label("用户名").fill("secretary-a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    form = page.get_by_test_id("swap-form")
    form.get_by_label("时段").select_option(label="全天")
    form.get_by_label("第一天", exact=True).fill(on_call_village["today"].isoformat())
    form.get_by_label("第一天在班的干部").select_option(label="值班甲")
    form.get_by_label("第二天", exact=True).fill(on_call_village["tomorrow"].isoformat())
    form.get_by_label("第二天在班的干部").select_option(label="值班乙")
    form.get_by_label("原因").fill("家中有事，协商换班")
    form.get_by_role("button", name="登记换班").click()
    expect(page.get_by_role("alert")).to_contain_text("换班已登记")
    expect(page.get_by_test_id("override-table")).to_contain_text("家中有事")

    public = context.new_page()
    public.goto(f"{live_server.url}/duty/village-a/")
    today = public.get_by_test_id("today")
    expect(today).to_contain_text("值班乙")
    expect(today).not_to_contain_text("值班甲")
    context.close()
