"""Each rule fires once for its occasion and its audience, never for someone who cannot
see the village, never twice, never about a period still open; and a job that was down
catches up with what it missed, once."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse

from attendance.models import (
    DutySlot,
    OutcomeState,
    PatrolCheck,
    PatrolFinding,
    QuarantinedLine,
    SlotOutcome,
)
from attendance.services.devices import device_register
from collective_economy.models import Contract, MonthlyAccount
from demonstration_belt.models import Finding, Suggestion
from demonstration_belt.services import reports as report_services
from jinhu.core import clock
from notifications import tasks
from notifications.core.catalogue import CATALOGUE
from notifications.models import Notification, Rule
from notifications.services import evaluate
from tests.factories import CadreFactory, make_user
from villages.models import Role

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).replace(tzinfo=SH)


@pytest.fixture
def instructor_b(village_b):
    return make_user(
        "instructor-b", Role.INSTRUCTOR, villages=[village_b], display_name="乙村指导员"
    )


@pytest.fixture
def cast(subdistrict_admin, secretary_a, secretary_b, instructor_a, instructor_b):
    return {
        "staff": subdistrict_admin,
        "village": secretary_a,
        "guides": instructor_a,
        "secretary_b": secretary_b,
        "instructor_b": instructor_b,
    }


def _submitted(report, secretary):
    report.narrative = "本月完成了主题党日。"
    report.save()
    report.items.update(note="按计划推进")
    return report_services.report_submit(actor=secretary, report=report)


def _finding(village, days):
    return Finding.objects.create(
        village=village,
        description="村务公开栏未及时更新",
        owner="张三",
        deadline=clock.today() + dt.timedelta(days=days),
    )


def _patrol_absence(village, staff):
    cadre = CadreFactory(village=village, name="李离岗")
    check = PatrolCheck.objects.create(
        village=village,
        checked_at=clock.now() - dt.timedelta(days=1),
        checked_by=staff,
        method="video",
        cadre=cadre,
        result="away_unreported",
    )
    PatrolFinding.objects.create(
        patrol=check,
        village=village,
        cadre=cadre,
        day=clock.today() - dt.timedelta(days=1),
        confirmed_by=staff,
        reason="视频核实",
    )


def _judged_absence(village, state=OutcomeState.ABSENT):
    cadre = CadreFactory(village=village, name="赵缺勤")
    day = clock.today() - dt.timedelta(days=2)
    starts = dt.datetime.combine(day, dt.time(8, 30), SH)
    slot = DutySlot.objects.create(
        village=village,
        cadre=cadre,
        day=day,
        part="am",
        kind="duty",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3, minutes=30),
    )
    SlotOutcome.objects.create(
        slot=slot, village=village, cadre=cadre, day=day, state=state, judged_at=clock.now()
    )


def _silent_device(village, staff):
    device, _token = device_register(
        actor=staff, kind="zk_clock", village=village, serial_number="CQZ7231360999"
    )
    device.last_seen_at = clock.now() - dt.timedelta(hours=5)
    device.save(update_fields=["last_seen_at"])


def _quarantine(village, staff):
    from attendance.models import DeviceRequest

    device, _token = device_register(
        actor=staff, kind="zk_clock", village=village, serial_number="CQZ7231360998"
    )
    request = DeviceRequest.objects.create(
        device=device,
        protocol="zk",
        kind="attlog",
        method="POST",
        path="/iclock/cdata",
        received_at=clock.now(),
        status="accepted",
    )
    for number in range(25):
        QuarantinedLine.objects.create(
            request=request, device=device, line_no=number, raw="???", reason="无法解析"
        )


def _weak_forecast(village, staff):
    for month in range(1, 11):
        MonthlyAccount.objects.create(
            village=village,
            year=2026,
            month=month,
            operating_income=Decimal("2000.00"),
            other_income=Decimal("1000.00"),
            expenses=Decimal("0"),
            updated_by=staff,
        )


#: rule → (moment, setup(cast, village_a, report_a) or None)
CASES = {
    "report_due_soon": ("2026-12-02T10:00", None),
    "report_due_today": ("2026-12-05T10:00", None),
    "report_returned": (
        None,
        lambda c, v, r: report_services.report_return(
            actor=c["guides"], report=_submitted(r, c["village"]), comment="请补充佐证照片"
        ),
    ),
    "report_approved": (
        None,
        lambda c, v, r: report_services.report_approve(
            actor=c["guides"], report=_submitted(r, c["village"])
        ),
    ),
    "finding_assigned": (None, lambda c, v, r: _finding(v, 10)),
    "suggestion_assigned": (
        None,
        lambda c, v, r: Suggestion.objects.create(
            village=v,
            source="salon",
            content="建议增设村口路灯。",
            received_on=clock.today(),
            due_on=clock.today() + dt.timedelta(days=15),
        ),
    ),
    "rectification_due": (None, lambda c, v, r: _finding(v, 2)),
    "report_late": (None, None),
    "absence": (None, lambda c, v, r: _patrol_absence(v, c["staff"])),
    "rectification_overdue": (None, lambda c, v, r: _finding(v, -3)),
    "report_waiting": (None, lambda c, v, r: _submitted(r, c["village"])),
    "device_silent": (None, lambda c, v, r: _silent_device(v, c["staff"])),
    "quarantine_growing": (None, lambda c, v, r: _quarantine(v, c["staff"])),
    "contract_expiring": (
        None,
        lambda c, v, r: Contract.objects.create(
            village=v,
            title="村口店面租赁",
            kind="lease",
            counterparty="便民超市",
            amount=Decimal("36000.00"),
            starts_on=dt.date(2024, 1, 1),
            ends_on=clock.today() + dt.timedelta(days=40),
        ),
    ),
    "economy_weak_forecast": (None, lambda c, v, r: _weak_forecast(v, c["staff"])),
}


def test_every_rule_of_the_catalogue_is_tested():
    evaluated = {spec.key for spec in CATALOGUE} - {"channel_disabled"}
    assert set(CASES) == evaluated


def _notices(user, key):
    return list(Notification.objects.filter(recipient=user, rule__key=key))


@pytest.mark.parametrize("key", sorted(CASES))
def test_a_rule_tells_its_audience_once_and_nobody_else(
    key, cast, village_a, village_b, report_a, client, moment
):
    when, setup = CASES[key]
    if when:
        moment.move_to(at(when))
    if setup:
        setup(cast, village_a, report_a)
    Rule.objects.filter(key__in=["report_late"]).update(enabled=True)
    evaluate.evaluate_all()
    evaluate.evaluate_all()  # (twice: nothing more)
    rule = Rule.objects.get(key=key)
    about_a = [None] if key == "quarantine_growing" else [village_a.pk]
    for audience in ("village", "guides", "staff"):
        user = cast[audience]
        mine = [n for n in _notices(user, key) if n.village_id in about_a]
        if audience in rule.audience:
            keys = [n.key for n in mine]
            assert keys and len(keys) == len(set(keys)), (audience, keys)  # each once
            if key == "report_late":  # (August to October are all late here)
                assert sorted(k[-7:] for k in keys) == ["2026-08", "2026-09", "2026-10"]
            else:
                assert len(keys) == 1, keys
            notice = mine[0]
            assert "{" not in notice.title + notice.body  # every placeholder filled
            # It never names what its recipient cannot open: the link opens for them.
            client.force_login(user)
            assert client.get(notice.url).status_code == 200, notice.url
        else:
            assert mine == [], audience
    for outsider in ("secretary_b", "instructor_b"):
        assert [n for n in _notices(cast[outsider], key) if n.village_id == village_a.pk] == []
        assert [n for n in _notices(cast[outsider], key) if n.village_id is None] == []


def test_a_disabled_rule_tells_nobody(cast, village_a, report_a):
    _finding(village_a, 10)
    Rule.objects.filter(key="finding_assigned").update(enabled=False)
    evaluate.evaluate_all()
    assert not Notification.objects.filter(rule__key="finding_assigned").exists()


def test_judged_absences_only(cast, village_a):
    """A slot still pending or unknown (a silent device) is never called an absence."""
    _judged_absence(village_a, OutcomeState.UNKNOWN)
    _judged_absence(village_a, OutcomeState.PENDING)
    evaluate.evaluate_all()
    assert not Notification.objects.filter(rule__key="absence").exists()
    _judged_absence(village_a)
    evaluate.evaluate_all()
    told = Notification.objects.filter(rule__key="absence", recipient=cast["guides"])
    assert [n.title for n in told] == [
        f"甲村赵缺勤{(clock.today() - dt.timedelta(days=2)).month}月"
        f"{(clock.today() - dt.timedelta(days=2)).day}日缺勤"
    ]
    assert "考勤判定缺勤" in told[0].body


@pytest.mark.frozen_at("2026-12-05T10:00:00+08:00")
def test_no_message_about_a_month_still_open(cast, village_a, subdistrict_admin):
    """On the due day November is still open (进行中): no "late" for it, only "due today";
    October (due 5 November) is late."""
    evaluate.evaluate_all()
    late = {n.key for n in _notices(cast["guides"], "report_late")}
    assert f"report_late:{village_a.pk}:2026-10" in late
    assert not any(k.endswith(":2026-11") for k in late)
    assert _notices(cast["village"], "report_due_today")
    # Economy: October is the last closed month, so November's books are not used yet.
    _weak_forecast(village_a, subdistrict_admin)
    MonthlyAccount.objects.create(
        village=village_a,
        year=2026,
        month=11,
        operating_income=Decimal("900000.00"),
        other_income=Decimal("0"),
        expenses=Decimal("0"),
        updated_by=subdistrict_admin,
    )
    evaluate.evaluate_all()
    forecast = _notices(subdistrict_admin, "economy_weak_forecast")
    assert [n.key for n in forecast] == [f"economy_weak_forecast:{village_a.pk}:2026:10"]


def test_a_report_due_soon_is_told_once_across_its_days(cast, village_a, moment):
    for day in (2, 3, 4):
        moment.move_to(at(f"2026-12-0{day}T09:00"))
        evaluate.evaluate_all()
    assert len(_notices(cast["village"], "report_due_soon")) == 1
    moment.move_to(at("2026-12-05T09:00"))
    evaluate.evaluate_all()
    assert len(_notices(cast["village"], "report_due_today")) == 1


def test_an_assignment_that_ends_hides_its_notices(cast, village_a, client):
    _finding(village_a, 10)
    evaluate.evaluate_all()
    secretary = cast["village"]
    assert Notification.objects.for_user(secretary).count() >= 1
    secretary.village_assignments.update(is_active=False)
    assert Notification.objects.for_user(secretary).count() == 0
    notice = Notification.objects.filter(recipient=secretary).first()
    client.force_login(secretary)
    assert client.post(reverse("notifications:open", args=[notice.pk])).status_code == 404


def test_two_runs_at_once_tell_each_person_once(cast, village_a, report_a):
    """The unique key holds even when a run inserts what another just inserted."""
    _finding(village_a, 10)
    rule = Rule.objects.get(key="finding_assigned") if Rule.objects.exists() else None
    evaluate.rules_ensure()
    rule = Rule.objects.get(key="finding_assigned")
    from notifications.services.occasions import FINDERS, Moment

    now = clock.now()
    occasions = list(FINDERS["finding_assigned"](rule, Moment(now, clock.today(), now)))
    evaluate.notify(rule, occasions, now)
    Notification.objects.filter(rule=rule).update(read_at=now)  # (a reader was quick)
    # A second worker that looked before the first committed tries the same rows.
    evaluate.notify(rule, occasions, now)
    assert Notification.objects.filter(rule=rule, recipient=cast["village"]).count() == 1
    assert Notification.objects.filter(rule=rule, read_at__isnull=True).count() == 0


@pytest.mark.frozen_at("2026-11-23T09:00:00+08:00")
def test_after_an_outage_each_missed_notice_is_sent_once(
    cast, village_a, report_a, robots, moment, django_capture_on_commit_callbacks
):
    """The job last ran on Monday; the beat was down until Thursday. Meanwhile the report
    was submitted and returned, a finding was assigned and a contract came within 60
    days. The first run after the outage tells each, once, in the portal and in the
    village group; the next run adds nothing."""
    from notifications.models import Channel, Delivery

    from .conftest import DING_SECRET, DING_TOKEN

    evaluate.evaluate_all()  # Monday: the last run before the outage
    Channel.objects.create(
        name="甲村两委群",
        kind="dingtalk",
        village=village_a,
        token=DING_TOKEN,
        secret=DING_SECRET,
        created_by=cast["staff"],
        created_at=clock.now(),
    )
    before = Notification.objects.count()
    moment.move_to(at("2026-11-24T10:00"))
    report = _submitted(report_a, cast["village"])
    report_services.report_return(actor=cast["guides"], report=report, comment="数据有误")
    moment.move_to(at("2026-11-25T15:00"))
    _finding(village_a, 20)
    CASES["contract_expiring"][1](cast, village_a, report_a)
    moment.move_to(at("2026-11-26T10:00"))  # Thursday: the beat is back
    with django_capture_on_commit_callbacks(execute=True):
        tasks.evaluate_rules.delay()
    secretary = {n.rule.key for n in Notification.objects.filter(recipient=cast["village"])}
    assert {"report_returned", "finding_assigned"} <= secretary
    staff = {n.rule.key for n in Notification.objects.filter(recipient=cast["staff"])}
    # (The report was submitted and returned during the outage: nothing waits any more.)
    assert "contract_expiring" in staff and "report_waiting" not in staff
    first = Notification.objects.count()
    assert first > before
    sent = len(robots.accepted("dingtalk"))
    titles = [r.body["markdown"]["title"] for r in robots.accepted("dingtalk")]
    assert "2026年10月进度报告被退回" in titles
    assert len(titles) == len(set(titles))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.evaluate_rules.delay()
        tasks.evaluate_rules.delay()
    assert Notification.objects.count() == first
    assert len(robots.accepted("dingtalk")) == sent
    assert Delivery.objects.filter(status="sent").count() == sent


@pytest.mark.time_sensitive
def test_at_any_moment_the_rules_hold(cast, village_a, village_b, report_a, robots, settings):
    """Whatever "now" is (a night, a holiday, 1 January, the last minute of a month):
    no report is called late before its deadline, nothing is told twice, and nothing
    goes out in the quiet hours."""
    from jinhu.core import periods
    from notifications.models import Channel, Delivery
    from notifications.services import send

    from .conftest import DING_SECRET, DING_TOKEN

    Channel.objects.create(
        name="甲村两委群",
        kind="dingtalk",
        village=village_a,
        token=DING_TOKEN,
        secret=DING_SECRET,
        created_by=cast["staff"],
        created_at=clock.now(),
    )
    _finding(village_a, 2)
    _finding(village_a, -2)
    evaluate.evaluate_all()
    first = Notification.objects.count()
    evaluate.evaluate_all()
    assert Notification.objects.count() == first
    today = clock.today()
    for notice in Notification.objects.filter(rule__key="report_late"):
        year, month = map(int, notice.key.rsplit(":", 1)[1].split("-"))
        due_day = settings.JINHU_REPORT_DUE_DAY
        assert not periods.is_provisional(periods.Month(year, month), today, due_day), notice.key
    result = send.send_due()
    quiet = send.quiet_until(clock.now()) is not None
    assert result["quiet"] is quiet
    sent = Delivery.objects.filter(status="sent").count()
    assert sent == (0 if quiet else Delivery.objects.count())
    assert len(robots.accepted()) == sent


def test_a_notice_about_all_devices_is_for_staff_only(cast, village_a):
    _quarantine(village_a, cast["staff"])
    evaluate.evaluate_all()
    staff = cast["staff"]
    assert Notification.objects.for_user(staff).filter(rule__key="quarantine_growing").exists()
    # Someone who is no longer staff (now an instructor of village A) does not see it.
    staff.is_superuser = False
    staff.save()
    staff.profile.role = Role.INSTRUCTOR
    staff.profile.save()
    staff.refresh_from_db()
    assert not Notification.objects.for_user(staff).filter(rule__key="quarantine_growing")


def test_a_run_costs_the_same_queries_for_more_villages(cast, village_a, village_b):
    """No query per village, notice or event: a city's run is a fixed number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import VillageFactory

    def run() -> int:
        Notification.objects.all().delete()
        Rule.objects.update(evaluated_at=None)
        with CaptureQueriesContext(connection) as queries:
            evaluate.evaluate_all()
        return len(queries)

    for village in (village_a, village_b):
        _finding(village, 2)
        _patrol_absence(village, cast["staff"])
    few = run()
    for number in range(4):
        village = VillageFactory(code=f"more-{number}", name=f"多{number}村")
        make_user(f"sec-more-{number}", Role.SECRETARY, villages=[village])
        _finding(village, 2)
        _patrol_absence(village, cast["staff"])
    assert run() == few
