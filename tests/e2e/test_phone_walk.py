"""Every page reachable from the navigation, on a 360-pixel phone, for each role: no
sideways scrolling, no table cell squeezed below about four Chinese characters, no raw
English key or login name where a person expects Chinese."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from tests.e2e.test_reports import login
from villages.demo import DEMO_PASSWORD

#: the demo's people: a secretary, an instructor, a liaison, sub-district staff
WALKERS = ("shuji-hongqiao", "zhidaoyuan", "lianxi", "jiedao")
#: Latin words a Chinese page may show: file formats, vendors, units, device identifiers
ALLOWED_WORDS = {
    "Excel", "CSV", "XLSX", "xlsx", "csv", "PDF", "ZKTeco", "Hikvision", "SN", "MAC", "PIN",
    "QR", "OK", "ID", "IP", "PUSH", "ATTLOG", "OPERLOG", "RTLOG", "ONVIF", "API", "VERIFY",
    "SUM", "INFO", "DATA", "QUERY", "km", "mu", "kWh", "GBK", "UTF", "Redis",
}  # fmt: skip
#: what a page must not show: a raw choice key (``in_progress``), a login (``shuji-x``)
#: (a whole word: letters inside an identifier with digits, ZK-HONGQIAO-01, are its code)
LATIN = re.compile(r"(?<![A-Za-z0-9_\-])[A-Za-z][A-Za-z_\-]{2,}(?![A-Za-z0-9_\-])")

MEASURE = """() => {
  const doc = document.documentElement;
  const em = parseFloat(getComputedStyle(document.body).fontSize);
  const narrow = [];
  document.querySelectorAll("td, th").forEach((cell) => {
    const box = cell.getBoundingClientRect();
    const text = cell.innerText.trim();
    if (!text || box.width === 0 || box.height === 0) { return; }
    const wanted = Math.min(4, text.length) * em * 0.9;
    if (box.width < wanted) {
      narrow.push(text.slice(0, 16) + " (" + Math.round(box.width) + "px)");
    }
  });
  // What a person reads: code samples (commands for administrators) aside.
  const main = (document.querySelector("main") || document.body).cloneNode(true);
  main.querySelectorAll("code, pre, script, style, template").forEach((el) => el.remove());
  return { overflow: doc.scrollWidth - window.innerWidth, narrow: narrow.slice(0, 8),
           text: main.textContent };
}"""


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)
    # (The walk is about pages, not the second factor the demo's staff sign in with.)
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.all().delete()
    StaticDevice.objects.all().delete()


def _nav_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("#mainnav a.nav-link", "els => els.map(e => e.href)")
    skip = ("/admin/", "/duty/", "/accounts/logout/")
    return sorted({h for h in hrefs if h.startswith(base) and not any(s in h for s in skip)})


@pytest.mark.browser
@pytest.mark.parametrize("username", WALKERS)
def test_every_page_reads_on_a_phone(live_server, browser, phone_context_args, demo, username):
    context = browser.new_context(**phone_context_args)
    page = login(context, live_server, username, "/", DEMO_PASSWORD)
    links = _nav_links(page, live_server.url)
    assert len(links) >= 8, links
    problems = []
    # The bell's pages (the bell sits outside the menu, so that it shows on a phone).
    bell = ["/notifications/?show=all", "/notifications/settings/", "/notifications/deliveries/"]
    if username == "jiedao":
        bell.append("/notifications/rules/")
    for url in ["/", *[link.replace(live_server.url, "") for link in links], *bell]:
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, url
        seen = page.evaluate(MEASURE)
        if seen["overflow"] > 1:
            problems.append(f"{url}: scrolls sideways by {seen['overflow']}px")
        if seen["narrow"]:
            problems.append(f"{url}: narrow cells {seen['narrow']}")
        latin = sorted({w for w in LATIN.findall(seen["text"]) if w not in ALLOWED_WORDS})
        if latin:
            problems.append(f"{url}: Latin words {latin[:8]}")
    context.close()
    assert not problems, "\n".join(problems)
