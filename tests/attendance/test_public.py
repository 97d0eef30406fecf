"""The public duty pages: correct, private-data-free, cached, fixed query count."""

import datetime as dt

import icalendar
import pytest

from attendance.models import RotationEntry
from attendance.services import rosters
from attendance.services.absences import absence_decide, absence_submit
from tests.factories import CadreFactory


def test_village_page_shows_today_and_the_week(client, duty_village):
    response = client.get("/duty/village-a/")
    assert response.status_code == 200
    body = response.content.decode()
    today = body.split('data-testid="today"')[1].split("</section>")[0]
    assert "吴值班" in today  # Wednesday: Wu
    assert "党组织书记" in today
    assert "0571-88000001" in today  # the village's duty phone
    week = body.split('data-testid="week"')[1]
    for name in ("吴值班", "郑值班", "王值班"):
        assert name in week
    assert "08:30" in body  # winter hours
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=60"}


def test_public_page_never_shows_private_fields(client, duty_village):
    body = client.get("/duty/village-a/").content.decode()
    for private in ("13800000001", "13800000002", "1970", "出生", "13912345678"):
        assert private not in body
    poster = client.get("/duty/village-a/poster/").content.decode()
    assert "13800000001" not in poster and "1970" not in poster
    feed = client.get("/duty/village-a.ics").content.decode()
    assert "13800000001" not in feed


def test_names_are_escaped(client, duty_village):
    evil = CadreFactory(village=duty_village["village"], name="<script>x</script>")
    RotationEntry.objects.create(
        village=duty_village["village"],
        cadre=evil,
        weekday=2,
        part="am",
        valid_from=dt.date(2026, 11, 2),
    )
    rosters.slots_materialize(
        village=duty_village["village"],
        start=dt.date(2026, 11, 25),
        end=dt.date(2026, 11, 25),
        include_started=True,
    )
    body = client.get("/duty/village-a/").content.decode()
    assert "<script>x</script>" not in body
    assert "&lt;script&gt;x&lt;/script&gt;" in body


def test_query_count_is_fixed_whatever_the_roster_size(
    client, duty_village, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_assert_num_queries(6):
        client.get("/duty/village-a/")
    # Grow the roster a lot; the page must not do more queries.
    v = duty_village["village"]
    for n in range(12):
        cadre = CadreFactory(village=v, name=f"新增{n}")
        for weekday in range(5):
            RotationEntry.objects.create(
                village=v, cadre=cadre, weekday=weekday, part="am", valid_from=dt.date(2026, 11, 2)
            )
    with django_capture_on_commit_callbacks(execute=True):
        rosters.slots_materialize(
            village=v, start=dt.date(2026, 11, 23), end=dt.date(2026, 11, 29), include_started=True
        )
    with django_assert_num_queries(6):
        response = client.get("/duty/village-a/")
    assert "新增11" in response.content.decode()


def test_cached_page_does_no_query_and_is_invalidated_by_a_swap(
    client,
    duty_village,
    secretary_a,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    client.get("/duty/village-a/")
    with django_assert_num_queries(0):
        client.get("/duty/village-a/")
    # Swap today's (Wednesday) duty with Zheng's Thursday.
    with django_capture_on_commit_callbacks(execute=True):
        rosters.days_swap(
            actor=secretary_a,
            village=duty_village["village"],
            part="full",
            first_day=dt.date(2026, 11, 25),
            first_cadre=duty_village["wu"],
            second_day=dt.date(2026, 11, 26),
            second_cadre=duty_village["zheng"],
            reason="换班",
        )
    body = client.get("/duty/village-a/").content.decode()
    today = body.split('data-testid="today"')[1].split("</section>")[0]
    assert "郑值班" in today and "吴值班" not in today


def test_approved_absence_shows_who_which_kind_and_the_return_only(
    client, duty_village, secretary_a, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    report = absence_submit(
        actor=secretary_a,
        cadre=duty_village["zheng"],
        kind="out",
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=5),
        destination="县人民医院住院部",
        reason="陪护家人看病",
    )
    client.get("/duty/village-a/")  # cached before approval
    with django_capture_on_commit_callbacks(execute=True):
        absence_decide(actor=secretary_a, report=report, approve=True)
    body = client.get("/duty/village-a/").content.decode()
    section = body.split('data-testid="absences"')[1].split("</section>")[0]
    assert "郑值班" in section and "外出办事" in section
    assert "12:00 返回" in section  # 07:00 + 5 h, Asia/Shanghai
    # Where they went and why are nobody's business on a notice board.
    assert "县人民医院" not in body and "陪护" not in body
    ics = client.get("/duty/village-a.ics").content.decode()
    assert "县人民医院" not in ics and "陪护" not in ics


def test_unknown_village_is_404(client, db):
    assert client.get("/duty/nowhere/").status_code == 404
    assert client.get("/duty/nowhere.ics").status_code == 404


def test_index_lists_villages(client, duty_village, village_b):
    body = client.get("/duty/").content.decode()
    assert "甲村" in body and "乙村" in body


def test_ics_feed_parses_back_with_shanghai_times(client, duty_village):
    response = client.get("/duty/village-a.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    events = [e for e in cal.walk("VEVENT")]
    wednesday = [e for e in events if e.decoded("dtstart").date() == dt.date(2026, 11, 25)]
    assert len(wednesday) == 1
    event = wednesday[0]
    assert str(event["summary"]) == "坐班：吴值班（全天）"
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert str(start.tzinfo) == "Asia/Shanghai"
    assert (start.hour, start.minute, end.hour, end.minute) == (8, 30, 17, 0)
    assert "TZID=Asia/Shanghai" in response.content.decode()
    assert cal.walk("VTIMEZONE")
    # UIDs are stable across requests.
    again = icalendar.Calendar.from_ical(client.get("/duty/village-a.ics").content)
    assert sorted(str(e["uid"]) for e in again.walk("VEVENT")) == sorted(
        str(e["uid"]) for e in events
    )


def test_poster_has_the_week_and_a_qr_code_to_the_page(client, duty_village, settings):
    settings.JINHU_PUBLIC_BASE_URL = "https://duty.jinhu.example"
    body = client.get("/duty/village-a/poster/").content.decode()
    assert 'href="https://duty.jinhu.example/duty/village-a/"' in body
    assert 'src="/duty/village-a/qr.svg"' in body
    assert "吴值班" in body and "王值班" in body
    # The week shown always has a weekend: its days are marked as rest days (the
    # suite's days are ordinary weeks; 调休 workdays are named by their label instead).
    assert body.count('data-testid="rest-day"') >= 1
    svg = client.get("/duty/village-a/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content


@pytest.mark.parametrize("url", ["/duty/village-a/", "/duty/village-a.ics"])
def test_public_pages_refuse_post(client, duty_village, url):
    assert client.post(url).status_code == 405


def test_other_workers_see_a_change_within_the_version_ttl(monkeypatch, db):
    """A bump made by another process reaches this one within VERSION_TTL seconds."""
    from django.core.cache import cache

    from attendance.services import pagecache

    clock = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock[0])
    first = pagecache.version("somewhere")
    cache.set("duty-public-version:somewhere", "changed-elsewhere", None)  # another worker
    assert pagecache.version("somewhere") == first  # still remembered locally
    clock[0] += pagecache.VERSION_TTL + 0.1
    assert pagecache.version("somewhere") == "changed-elsewhere"
    pagecache.bump("somewhere")  # this process's own change shows at once
    assert pagecache.version("somewhere") not in {first, "changed-elsewhere"}
