"""The verdict on one slot (pure) and outcomes judged from punches in the database."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from attendance.core import judging
from attendance.models import Punch, SlotOutcome
from attendance.selectors import monthly_compliance
from attendance.services import liveness
from attendance.services.absences import absence_decide, absence_submit
from attendance.services.outcomes import (
    correction_decide,
    correction_request,
    outcomes_judge,
)
from tests.devices.conftest import attlog, outcome

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 11, 24, 8, 30, tzinfo=TZ)
END = dt.datetime(2026, 11, 24, 17, 0, tzinfo=TZ)
LATER = END + dt.timedelta(hours=3)


def facts(punches, *, now=LATER, seen=(LATER,), **kw):
    return judging.SlotFacts(
        starts_at=START,
        ends_at=END,
        punches=tuple(judging.PunchFact(t, kw.pop("bio", True)) for t in punches),
        late_grace=dt.timedelta(minutes=10),
        early_grace=dt.timedelta(minutes=10),
        now=now,
        devices_last_seen=seen,
        **kw,
    )


def at(h, m):
    return dt.datetime(2026, 11, 24, h, m, tzinfo=TZ)


@pytest.mark.parametrize(
    "punches,state",
    [
        ([at(8, 25), at(17, 5)], "on_time"),
        ([at(8, 40), at(17, 5)], "on_time"),  # within the 10 minutes' grace
        ([at(8, 41), at(17, 5)], "late"),
        ([at(8, 20), at(16, 40)], "left_early"),
        ([at(9, 30), at(16, 0)], "late_early"),
        ([at(8, 20)], "left_early"),  # never clocked out
        ([], "absent"),
        ([at(6, 0), at(21, 0)], "absent"),  # outside the windows
    ],
)
def test_states(punches, state):
    assert judging.judge(facts(punches)).state == state


def test_pending_until_the_slot_has_ended():
    assert judging.judge(facts([], now=END)).state == "pending"


def test_silent_device_means_unknown_never_absent():
    silent = (LATER, END - dt.timedelta(hours=2))
    verdict = judging.judge(facts([], seen=silent))
    assert verdict.state == "unknown" and "尚未同步" in verdict.note
    assert judging.judge(facts([], seen=())).state == "unknown"
    # Positive evidence is judged anyway.
    assert judging.judge(facts([at(8, 25), at(17, 5)], seen=silent)).state == "on_time"


def test_excused_and_manual():
    assert judging.judge(facts([], excused=True)).state == "excused"
    verdict = judging.judge(facts([], excused=True, correction="on_time"))
    assert verdict.state == "on_time" and verdict.manual


def test_non_biometric_arrival_is_noted():
    verdict = judging.judge(facts([at(8, 25), at(17, 5)], bio=False))
    assert verdict.state == "on_time" and not verdict.biometric and "非生物识别" in verdict.note


# ---------------------------------------------------------------------------
# With the database
# ---------------------------------------------------------------------------
def test_punches_judge_the_slot_and_late_data_rejudges(send, duty):
    day = dt.date(2026, 11, 24)
    liveness.seen(duty["clock"].pk)  # the clock is heard from now, after the slot
    outcomes_judge(duty["village"], [day])
    assert outcome(duty["village"], day).state == "absent"
    attlog(send, ["2026-11-24 08:29:00", "2026-11-24 17:02:00"])
    o = outcome(duty["village"], day)
    assert o.state == "on_time" and o.biometric and o.punch_count == 2
    assert o.arrived_at == dt.datetime(2026, 11, 24, 0, 29, tzinfo=dt.UTC)


def test_holiday_has_no_slot_to_judge(send, duty):
    liveness.seen(duty["clock"].pk)
    outcomes_judge(duty["village"], [dt.date(2026, 10, 1)])  # 国庆节
    assert not SlotOutcome.objects.filter(day=dt.date(2026, 10, 1)).exists()
    outcomes_judge(duty["village"], [dt.date(2026, 10, 9)])  # the Friday after: a workday
    assert outcome(duty["village"], dt.date(2026, 10, 9)).state == "absent"


def test_approved_out_on_business_excuses_the_slot(
    send, duty, subdistrict_admin, django_capture_on_commit_callbacks
):
    day = dt.date(2026, 11, 23)
    liveness.seen(duty["clock"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        report = absence_submit(
            actor=subdistrict_admin,
            cadre=duty["liu"],
            kind="out",
            starts_at=timezone.make_aware(dt.datetime(2026, 11, 23, 9)),
            ends_at=timezone.make_aware(dt.datetime(2026, 11, 23, 15)),
            destination="县农业农村局",
            reason="项目申报",
        )
        absence_decide(actor=subdistrict_admin, report=report, approve=True)
    outcomes_judge(duty["village"], [day])
    assert outcome(duty["village"], day).state == "excused"


def test_silent_device_keeps_the_day_unknown(duty, zk_clock):
    from attendance.models import Device

    Device.objects.filter(pk=zk_clock.pk).update(
        last_seen_at=timezone.make_aware(dt.datetime(2026, 11, 20, 12))
    )
    outcomes_judge(duty["village"], [dt.date(2026, 11, 24)])
    assert outcome(duty["village"], dt.date(2026, 11, 24)).state == "unknown"


def test_judging_twice_changes_nothing(send, duty):
    liveness.seen(duty["clock"].pk)
    attlog(send, ["2026-11-24 08:45:00", "2026-11-24 17:02:00"])
    before = list(SlotOutcome.objects.values())
    second = outcomes_judge(duty["village"], [dt.date(2026, 11, 24)])
    assert second["changed"] == 0
    assert list(SlotOutcome.objects.values()) == before
    assert outcome(duty["village"], dt.date(2026, 11, 24)).state == "late"


def test_manual_correction_needs_a_second_person_and_is_marked_forever(
    send, duty, subdistrict_admin, secretary_a
):
    from django.core.exceptions import PermissionDenied

    from tests.factories import make_user
    from villages.models import Role

    day = dt.date(2026, 11, 24)
    liveness.seen(duty["clock"].pk)
    outcomes_judge(duty["village"], [day])
    slot = outcome(duty["village"], day).slot
    before = outcome(duty["village"], day).state
    asked = correction_request(
        actor=subdistrict_admin, slot=slot, state="on_time", reason="考勤机故障，有视频为证"
    )
    # Asked is not approved: nothing changes yet, and nobody asks twice meanwhile.
    assert outcome(duty["village"], day).state == before
    with pytest.raises(ValidationError, match="待批准"):
        correction_request(actor=secretary_a, slot=slot, state="late", reason="另一说法")
    # The person who asked cannot approve; a secretary cannot approve at all.
    with pytest.raises(PermissionDenied, match="申请人不能批准"):
        correction_decide(actor=subdistrict_admin, correction=asked, approve=True)
    with pytest.raises(PermissionDenied):
        correction_decide(actor=secretary_a, correction=asked, approve=True)
    other_staff = make_user("staff-two", Role.STAFF, display_name="街道另一人")
    correction_decide(actor=other_staff, correction=asked, approve=True)
    corrected = outcome(duty["village"], day)
    assert corrected.state == "on_time" and corrected.manual
    # Later punches that count (a batch, matched, not held for review) and would make
    # the day late and early do not undo the correction.
    attlog(send, ["2026-11-24 09:30:00", "2026-11-24 16:00:00"])
    assert Punch.objects.countable().filter(cadre=duty["liu"]).count() == 2
    outcomes_judge(duty["village"], [day])
    o = outcome(duty["village"], day)
    assert o.state == "on_time" and o.manual
    with pytest.raises(ValidationError, match="已处理"):
        correction_decide(actor=other_staff, correction=asked, approve=False, comment="x")


def test_a_rejected_correction_changes_nothing(duty, secretary_a, subdistrict_admin):
    day = dt.date(2026, 11, 24)
    liveness.seen(duty["clock"].pk)
    outcomes_judge(duty["village"], [day])
    slot = outcome(duty["village"], day).slot
    before = outcome(duty["village"], day).state
    asked = correction_request(actor=secretary_a, slot=slot, state="excused", reason="开会")
    with pytest.raises(ValidationError):
        correction_decide(actor=subdistrict_admin, correction=asked, approve=False)
    correction_decide(actor=subdistrict_admin, correction=asked, approve=False, comment="无依据")
    outcomes_judge(duty["village"], [day])
    assert (
        outcome(duty["village"], day).state == before and not outcome(duty["village"], day).manual
    )


def test_compliance_excludes_pending_and_unknown(send, duty):
    liveness.seen(duty["clock"].pk)
    attlog(send, ["2026-11-23 08:25:00", "2026-11-23 17:05:00"])
    outcomes_judge(duty["village"], [dt.date(2026, 11, 23), dt.date(2026, 11, 24)])
    stats = monthly_compliance(
        SlotOutcome.objects.all(), dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    )
    assert stats["judged"] == 2 and stats["compliant"] == 1 and stats["rate"] == 50.0


def test_flagged_punches_wait_for_review(send, duty):
    """A real-time punch from a clock three hours off is flagged and does not count yet."""
    liveness.seen(duty["clock"].pk)
    now = timezone.localtime()
    skewed = (now - dt.timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")
    attlog(send, [skewed])
    from attendance.models import Punch

    punch = Punch.objects.get()
    assert punch.needs_review and "clock_skew" in punch.flags
    duty["clock"].refresh_from_db()
    assert 3 * 3600 - 60 < duty["clock"].clock_skew_seconds < 3 * 3600 + 60


def test_compliance_pages_use_one_grouped_query_whatever_the_villages(
    send, duty, client, subdistrict_admin
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import VillageFactory

    liveness.seen(duty["clock"].pk)
    attlog(send, ["2026-11-23 08:25:00", "2026-11-23 17:05:00"])
    outcomes_judge(duty["village"], [dt.date(2026, 11, 23), dt.date(2026, 11, 24)])
    client.force_login(subdistrict_admin)
    url = "/attendance/compliance/?month=2026-11"

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    few, response = queries()
    assert "50.0%" in response.content.decode()
    for _ in range(5):
        VillageFactory()
    many, _response = queries()
    assert many == few


def test_the_duty_promise_figure_opens_to_the_cadres_and_their_slots(
    client, send, duty, subdistrict_admin, secretary_b
):
    """ "N of M cadres kept their duty promise" counts the cadres the drill-down lists,
    and each cadre's page shows the rate and the slots behind it."""
    liveness.seen(duty["clock"].pk)
    # 刘一: on time on the 23rd, late on the 24th (one of two judged days: 50 %).
    attlog(send, ["2026-11-23 08:25:00", "2026-11-23 17:05:00"])
    attlog(send, ["2026-11-24 09:40:00", "2026-11-24 17:05:00"])
    outcomes_judge(duty["village"], [dt.date(2026, 11, 23), dt.date(2026, 11, 24)])
    client.force_login(subdistrict_admin)
    page = client.get("/attendance/compliance/?month=2026-11").content.decode()
    assert 'data-testid="promise-figure"' in page and "0 / 1" in page
    listing = client.get("/attendance/compliance/cadres/?month=2026-11")
    rows = listing.context["rows"]
    promise = listing.context["promise"]
    assert len(rows) == promise.cadres == 1 and sum(r["kept"] for r in rows) == promise.kept == 0
    assert rows[0]["cadre"] == duty["liu"] and rows[0]["rate"] == 50.0
    own = client.get(f"/attendance/cadres/{duty['liu'].pk}/compliance/?month=2026-11")
    assert own.context["month_rate"]["rate"] == 50.0
    assert own.context["outcomes"].filter(day__lte=dt.date(2026, 11, 24)).count() >= 2
    assert "50.0%" in own.content.decode()
    # The belt's headline figure for the year opens to the same cadres.
    import re

    figures = client.get("/belt/figures/?year=2026").content.decode()
    section = figures[figures.index('data-testid="promise"') :][:600]
    link = re.search(r'href="(/attendance/compliance/cadres/\?year=2026)"', section)
    numbers = re.search(r"的 (\d+) 名干部中.*?<strong>(\d+)</strong>", section, re.S)
    assert link and numbers, section
    year_rows = client.get(link.group(1)).context["rows"]
    assert len(year_rows) == int(numbers.group(1)) == 1
    assert sum(r["kept"] for r in year_rows) == int(numbers.group(2)) == 0
    client.force_login(secretary_b)
    assert client.get(f"/attendance/cadres/{duty['liu'].pk}/compliance/").status_code == 404
    assert client.get("/attendance/compliance/cadres/?month=2026-11").context["rows"] == []


def test_the_headline_promise_count_is_stored_per_village_and_equals_the_drill_down(send, duty):
    """The belt's "N of M" reads a row per village (kept by the judge, the rebuild and a
    nightly refresh) when it is as of today, counts live otherwise, and always agrees
    with the cadres the drill-down lists."""
    from attendance import selectors
    from attendance.models import DutyPromise, SlotOutcome
    from attendance.tasks import promise_refresh_year
    from jinhu.core import clock
    from villages.selectors import Village

    liveness.seen(duty["clock"].pk)
    attlog(send, ["2026-11-23 08:25:00", "2026-11-23 17:05:00"])
    attlog(send, ["2026-11-24 08:20:00", "2026-11-24 17:05:00"])
    outcomes_judge(duty["village"], [dt.date(2026, 11, 23), dt.date(2026, 11, 24)])
    today = clock.today()
    villages = Village.objects.filter(pk=duty["village"].pk)
    live = selectors.promise_kept(
        SlotOutcome.objects.filter(village=duty["village"]), dt.date(today.year, 1, 1), today
    )
    row = DutyPromise.objects.get(village=duty["village"], year=today.year)
    assert row.as_of == today and (row.kept, row.cadres) == (live.kept, live.cadres)
    counted = selectors.promise_counts_in(villages, today.year, today)
    assert (counted.kept, counted.cadres) == (live.kept, live.cadres) and live.cadres >= 1

    # A row as of another day is not read: the figure is counted live.
    DutyPromise.objects.filter(pk=row.pk).update(
        as_of=today - dt.timedelta(days=1), kept=99, cadres=99
    )
    counted = selectors.promise_counts_in(villages, today.year, today)
    assert (counted.kept, counted.cadres) == (live.kept, live.cadres)
    # The nightly refresh brings it up to date.
    promise_refresh_year.apply()
    row.refresh_from_db()
    assert row.as_of == today and (row.kept, row.cadres) == (live.kept, live.cadres)
    # A year not begun has nothing so far.
    assert selectors.promise_counts_in(villages, today.year + 1, today).cadres == 0
