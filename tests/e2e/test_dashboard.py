"""Staff see the charts render with Chinese labels and drill down; a secretary sees only theirs."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.test_reports import login
from villages.demo import DEMO_PASSWORD


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)


@pytest.mark.browser
def test_dashboard_charts_render_and_drill_down(live_server, browser, demo):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    errors = []
    page = login(context, live_server, "admin", "/belt/dashboard/?month=0", DEMO_PASSWORD)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.reload()
    for chart in ("trend-chart", "radar-chart", "heatmap-chart"):
        expect(page.get_by_test_id(chart)).to_have_attribute("data-rendered", "true")
        expect(page.get_by_test_id(chart).locator("svg")).to_have_count(1)
    expect(page.get_by_test_id("radar-chart")).to_contain_text("组织过硬")
    expect(page.get_by_test_id("trend-chart")).to_contain_text("虹桥村")
    expect(page.get_by_test_id("scoreboard")).to_contain_text("瑞湖村")
    assert not [e for e in errors if "Content Security Policy" in e], errors

    page.goto(f"{live_server.url}/belt/figures/")
    visitors = page.get_by_test_id("visitors-link")
    count = visitors.inner_text()  # (as formatted everywhere: 7,654)
    visitors.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("坐班日志明细")
    expect(page.locator("main")).to_contain_text(f"接待 {count} 人次")
    context.close()


@pytest.mark.browser
def test_secretary_sees_only_their_breakdown(live_server, browser, phone_context_args, demo):
    context = browser.new_context(**phone_context_args)
    page = login(
        context, live_server, "shuji-yongfeng", "/belt/scores/yongfeng/?month=0", DEMO_PASSWORD
    )
    expect(page.get_by_test_id("breakdown")).to_contain_text("坐班值班制度落实")
    page.goto(f"{live_server.url}/belt/scores/hongqiao/?month=0")
    expect(page.locator("main")).to_contain_text("页面不存在")
    context.close()
