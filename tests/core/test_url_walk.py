"""Every page, list, form and export, walked as each scoped role.

The demo sub-district is loaded and one village outside every walking role's scope
(锦溪村) has a marker written into every free-text field of every row it owns.
Walking the whole URL map (``tests/walk.py``: from ``get_resolver()``) as a
secretary, an instructor and a liaison, no response may contain the marker: no list,
prefetch, choice, label, chart or export shows anything of a village outside the
viewer's scope. Every object of the marked village is a 404 for them. Then the same
walk with malformed and out-of-range query values: no 500 anywhere.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from jinhu.core import clock
from tests import walk

MARKER = "越界标记"
OUTSIDE = "jinxi"
#: the demo's scoped people and a village each of them may see
WALKERS = {"shuji-hongqiao": "hongqiao", "zhidaoyuan": "yongfeng", "lianxi": "jiyun"}

# (django_db: the module's data is committed once; each test's own writes roll back)
pytestmark = [pytest.mark.time_sensitive, pytest.mark.django_db]


def _objects(code: str) -> dict[str, object]:
    """One object of each kind a route takes by id, in the village ``code``."""
    from attendance.models import (
        AbsenceReport,
        Device,
        DutySlot,
        OutcomeCorrection,
        PatrolFinding,
    )
    from collective_economy.models import ImportJob
    from demonstration_belt.models import Agreement, Evidence, Finding, MonthlyReport
    from notifications.models import Channel, Notification, Rule
    from villages.models import Cadre, Term

    def first(model, **filters):
        found = model.objects.filter(**filters).order_by("pk").first()
        return found.pk if found else 0  # (0: none of that kind; its page must 404)

    cadre = first(Cadre, village__code=code)
    return {
        "code": code,
        "villages:cadre.pk": cadre,
        "villages:cadre_edit.pk": cadre,
        "villages:structure_people.term": first(Term),
        "villages:structure_people.figure": "members",
        "attendance:cadre_compliance.pk": cadre,
        "duty:photo.cadre_id": cadre,
        "attendance:absence.pk": first(AbsenceReport, village__code=code),
        "attendance:finding_confirm.pk": first(PatrolFinding, village__code=code),
        "attendance:device.pk": first(Device, village__code=code),
        "attendance:device_assign.pk": first(Device, village__code=code),
        "attendance:slot_correct.pk": first(DutySlot, village__code=code),
        "attendance:correction_decide.pk": first(OutcomeCorrection, slot__village__code=code),
        "belt:agreement.pk": first(Agreement, village__code=code),
        "belt:report.pk": first(MonthlyReport, village__code=code),
        "belt:evidence.pk": first(Evidence, report__village__code=code),
        "belt:attachment.kind": "finding",
        "belt:attachment.pk": first(Finding, village__code=code),
        "notifications:open.pk": first(Notification, village__code=code),
        "notifications:channel.pk": first(Channel, village__code=code),
        "notifications:rule.pk": first(Rule),
        "economy:import_job.pk": first(
            ImportJob, created_by__village_assignments__village__code=code
        ),
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module, with the outside village marked."""
    import time_machine

    from tests.conftest import test_moment
    from villages.models import Village

    # (Module fixtures are set up before the per-test freeze: freeze here too.)
    with django_db_blocker.unblock(), time_machine.travel(test_moment(), tick=True):
        call_command("load_demo", verbosity=0)
        outside = Village.objects.get(code=OUTSIDE)
        # A meeting of the outside village alone (shared meetings are seen by all theirs).
        from demonstration_belt.models import Meeting

        Meeting.objects.create(
            kind="review", title=f"{MARKER}仅外村参加的点评会", held_on=clock.today(), host=outside
        ).villages.set([outside])
        # An import by the outside village's secretary: nobody else's to see.
        from django.contrib.auth import get_user_model

        from collective_economy.models import ImportJob

        ImportJob.objects.create(
            kind="monthly",
            file_name=f"{MARKER}.csv",
            data=b"",
            sha256="0" * 64,
            status="invalid",
            created_by=get_user_model().objects.get(username=f"shuji-{OUTSIDE}"),
        )
        assert walk.mark_village(outside, MARKER) > 20
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _login(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))


@pytest.mark.parametrize("username", sorted(WALKERS))
def test_no_page_shows_anything_of_a_village_outside_the_scope(world, client, username):
    _login(client, username)
    inside = {**walk.default_values(), **_objects(WALKERS[username])}
    outside = {**walk.default_values(), **_objects(OUTSIDE)}
    leaks, errors, walked = [], [], 0
    for route in walk.routes():
        url = walk.fill(route, inside)
        for variant in ("", "?export=xlsx", "?export=csv"):
            if variant and route.parameters:
                continue  # (exports are list pages)
            response = client.get(url + variant)
            walked += 1
            if response.status_code >= 500:
                errors.append(f"{url}{variant}: {response.status_code}")
            elif MARKER in walk.text_of(response):
                leaks.append(f"{url}{variant}")
        # The outside village's own objects are not found at all (never a 403 or 200).
        if route.parameters:
            foreign = walk.fill(route, outside)
            if foreign != url:
                status = client.get(foreign).status_code
                if status not in (404, 302):
                    leaks.append(f"{foreign}: {status} (expected 404)")
    assert walked > 60
    assert not errors, errors
    assert not leaks, f"{username} sees the outside village on: {leaks}"


MALFORMED = [
    {"year": "abc"},
    {"year": "99999"},
    {"year": "-1"},
    {"month": "13"},
    {"month": "1.5"},
    {"month": "2026-13"},
    {"month": "abc"},
    {"cadre": "abc"},
    {"cadre": "-5"},
    {"page": "zz"},
    {"status": "bogus"},
    {"kind": "bogus"},
    {"village": "no-such-village"},
]


@pytest.mark.parametrize("username", ["jiedao", "shuji-hongqiao"])
def test_malformed_and_out_of_range_values_are_never_a_server_error(world, client, username):
    from urllib.parse import urlencode

    _login(client, username)
    values = {**walk.default_values(), **_objects("hongqiao")}
    errors = []
    for route in walk.routes():
        url = walk.fill(route, values)
        for query in MALFORMED:
            response = client.get(f"{url}?{urlencode(query)}")
            if response.status_code >= 500:
                errors.append(f"{url}?{urlencode(query)}: {response.status_code}")
            elif response.status_code == 400:
                assert "参数" in response.content.decode() or "须" in response.content.decode()
    # Path parameters out of range too.
    for path in (
        "/belt/reports/hongqiao/99999/1/",
        "/belt/reports/hongqiao/1900/1/",
        "/belt/reports/hongqiao/2026/13/",
        "/belt/plans/hongqiao/99999/",
    ):
        status = client.get(path).status_code
        if status >= 500:
            errors.append(f"{path}: {status}")
    assert not errors, errors


def test_a_get_never_creates_a_record(world, client):
    from demonstration_belt.models import MonthlyReport

    _login(client, "shuji-hongqiao")
    before = MonthlyReport.objects.count()
    for path in (
        "/belt/reports/hongqiao/1900/1/",
        "/belt/reports/hongqiao/2026/1/",
        "/belt/reports/hongqiao/2099/12/",
    ):
        assert client.get(path).status_code in (200, 302, 400, 404, 405)
    assert MonthlyReport.objects.count() == before


class _Actions:
    """The links and forms a page offers: what a person could click."""

    def __init__(self) -> None:
        from html.parser import HTMLParser

        actions = self

        class Parser(HTMLParser):
            form: dict | None = None

            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                if tag == "a" and a.get("href"):
                    actions.links.add(a["href"])
                elif tag == "form":
                    self.form = {
                        "action": a.get("action") or "",
                        "method": (a.get("method") or "get").lower(),
                        "data": {},
                        "buttons": [],
                    }
                    actions.forms.append(self.form)
                elif self.form is not None and tag == "input" and a.get("name"):
                    if a.get("type") == "hidden":
                        self.form["data"][a["name"]] = a.get("value") or ""
                    elif a.get("type") == "submit":
                        self.form["buttons"].append((a["name"], a.get("value") or ""))
                elif self.form is not None and tag == "button" and a.get("name"):
                    self.form["buttons"].append((a["name"], a.get("value") or ""))

            def handle_endtag(self, tag):
                if tag == "form":
                    self.form = None

        self.links: set[str] = set()
        self.forms: list[dict] = []
        self.parser = Parser()


#: links and forms not to follow: other sites, downloads, the admin, signing out
NOT_FOLLOWED = ("/admin/", "/accounts/logout/", "/static/", "/media/", "/duty/", "/iclock/")


def _portal_target(href: str, page: str) -> str | None:
    from urllib.parse import urljoin, urlsplit

    target = urlsplit(urljoin("http://testserver" + page, href))
    if target.netloc != "testserver" or target.path.startswith(NOT_FOLLOWED):
        return None
    if "export=" in target.query:
        return None  # (the exports are walked above)
    return target.path + (f"?{target.query}" if target.query else "")


@pytest.mark.parametrize("username", [*sorted(WALKERS), "jiedao"])
def test_no_page_offers_an_action_its_viewer_cannot_take(world, client, username):
    """Every link and every button on every page a person reaches leads somewhere they
    may go: never a 403. Buttons are pressed with what the page filled in (in a
    savepoint that is rolled back: nothing pressed here changes the next page)."""
    from django.db import transaction
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # (The demo staff sign in with a second factor; the walk is about what they see.)
    TOTPDevice.objects.filter(user__username=username).delete()
    StaticDevice.objects.filter(user__username=username).delete()
    _login(client, username)
    code = WALKERS.get(username, "hongqiao")
    values = {**walk.default_values(), **_objects(code)}
    actions = _Actions()
    for route in walk.routes():
        url = walk.fill(route, values)
        response = client.get(url)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            before = len(actions.forms)
            actions.parser.feed(response.content.decode())
            for form in actions.forms[before:]:
                form["page"] = url
            actions.links_by_page = getattr(actions, "links_by_page", {})
            for href in list(actions.links):
                actions.links_by_page.setdefault(href, url)
    refused = []
    for href, page in sorted(actions.links_by_page.items()):
        target = _portal_target(href, page)
        if target and client.get(target).status_code == 403:
            refused.append(f"link {target} (on {page})")
    for form in actions.forms:
        target = _portal_target(form["action"] or form["page"], form["page"])
        if target is None:
            continue
        for button in form["buttons"] or [None]:
            data = dict(form["data"])
            if button:
                data[button[0]] = button[1]
            with transaction.atomic():
                if form["method"] == "post":
                    status = client.post(target, data).status_code
                else:
                    status = client.get(target, data).status_code
                transaction.set_rollback(True)
            if status == 403:
                refused.append(f"{form['method']} {target} {button or ''} (on {form['page']})")
    assert len(actions.links_by_page) > 30
    assert not refused, f"{username} is offered what they may not do: {refused}"
