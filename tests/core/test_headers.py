"""What every page tells the browser: a content security policy with no inline script
or style, no framing, no sniffing, same-origin referrers; and templates that keep to it."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_pages_send_a_strict_policy(client, secretary_a):
    client.force_login(secretary_a)
    for url in ("/", "/accounts/login/", "/duty/"):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "object-src 'none'" in policy
        assert "frame-ancestors 'none'" in policy and "base-uri 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_style_and_no_script_without_a_nonce():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if re.search(r"\sstyle=", text) or re.search(r"<style[\s>]", text):
            offenders.append(f"{path.name}: inline style")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "nonce" not in tag:
                offenders.append(f"{path.name}: inline script without nonce")
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{path.name}: inline event handler")
    assert not offenders, offenders


def test_the_favicon_is_served(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    page = client.get("/duty/").content.decode()
    assert 'rel="icon"' in page
