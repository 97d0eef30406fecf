"""A month's report from a phone, returned by the instructor, fixed, resubmitted, approved."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.factories import PASSWORD


def login(context, live_server, username, next_url, password=PASSWORD):
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    # The login form posts and redirects; wait until it has, so that the test's next
    # navigation does not race the redirect ("Not attached to an active page").
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1500), (180, 20, 20)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.mark.browser
def test_report_round_trip_from_a_phone(
    live_server,
    browser,
    phone_context_args,
    plan_a,
    secretary_a,
    instructor_a,
    subdistrict_admin,
):
    phone = browser.new_context(**phone_context_args)
    # Started from the reports list, as a secretary finds it (the start is a POST).
    page = login(phone, live_server, "secretary-a", "/belt/reports/")
    october = page.get_by_test_id("report-months").locator("li", has_text="2026年10月")
    october.get_by_role("button", name="开始填报").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("甲村 2026年10月")
    form = page.get_by_test_id("report-form")
    form.get_by_label("本月工作情况").fill("开展主题党日一次，特色点位完成主体建设。")
    for select in form.locator("select").all():
        select.select_option(label="推进中")
    form.locator("input[type=number]").first.fill("10")
    form.get_by_label("佐证材料", exact=False).set_input_files(
        {"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}
    )
    form.get_by_role("button", name="提交审核").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已提交")
    expect(page.get_by_test_id("evidence-list")).to_contain_text("现场照片.jpg")
    report_url = page.url

    desk = browser.new_context()
    review = login(desk, live_server, "instructor-a", report_url.replace(live_server.url, ""))
    review.get_by_label("意见").fill("特色点位照片请补充全景。")
    review.get_by_role("button", name="退回修改").click()
    expect(review.get_by_test_id("report-status")).to_have_text("已退回")

    page.reload()
    expect(page.get_by_test_id("event-comment").last).to_contain_text("特色点位照片请补充全景")
    form = page.get_by_test_id("report-form")
    form.get_by_label("本月工作情况").fill(
        "开展主题党日一次，特色点位完成主体建设，已补充全景照片。"
    )
    form.get_by_role("button", name="提交审核").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已提交")

    staff = browser.new_context()
    approve = login(staff, live_server, "admin-cast", report_url.replace(live_server.url, ""))
    approve.get_by_role("button", name="通过").click()
    expect(approve.get_by_test_id("report-status")).to_have_text("已通过")
    expect(approve.get_by_test_id("narrative")).to_contain_text("已补充全景照片")
    for context in (phone, desk, staff):
        context.close()
