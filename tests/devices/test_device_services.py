"""The device services nobody drove before: commands retried and expired, the nightly
reconciliation (once per clock and day, by constraint), flagged punches reviewed, recent
days judged, and the pages that approve a device and ask for a correction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from attendance.models import CommandState, DeviceCommand, DutySlot, Punch, SlotOutcome
from attendance.models.devices import DeviceStatus
from attendance.services import devices as device_services
from attendance.services import liveness
from attendance.services.outcomes import correction_request, outcomes_judge_recent
from jinhu.core import clock
from tests.devices.conftest import attlog, outcome

pytestmark = pytest.mark.django_db


def _queue(device, staff, **kw) -> DeviceCommand:
    start = clock.now() - dt.timedelta(days=1)
    return device_services.command_queue(
        actor=staff, device=device, kind="data_query", start=start, end=clock.now(), **kw
    )


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
def test_a_sent_command_nobody_answered_is_expired_and_resent_with_a_new_id(zk_clock, staff):
    cmd = _queue(zk_clock, staff)
    long_ago = clock.now() - dt.timedelta(minutes=30)
    DeviceCommand.objects.filter(pk=cmd.pk).update(state=CommandState.SENT, sent_at=long_ago)
    assert device_services.commands_retry_stale() == 1
    cmd.refresh_from_db()
    retry = DeviceCommand.objects.get(retry_of=cmd)
    assert cmd.state == CommandState.EXPIRED and cmd.finished_at is not None
    assert retry.state == CommandState.PENDING and retry.cmd_id != cmd.cmd_id
    assert retry.command == cmd.command and retry.expires_at == cmd.expires_at
    # A second run finds nothing more to do (the retry is pending, not sent).
    assert device_services.commands_retry_stale() == 0


def test_a_command_is_tried_at_most_three_times(zk_clock, staff):
    cmd = _queue(zk_clock, staff)
    for _attempt in range(5):
        long_ago = clock.now() - dt.timedelta(minutes=30)
        DeviceCommand.objects.filter(state=CommandState.PENDING).update(
            state=CommandState.SENT, sent_at=long_ago
        )
        device_services.commands_retry_stale()
    chain = DeviceCommand.objects.filter(device=zk_clock, command=cmd.command)
    assert chain.count() == 3
    assert not chain.exclude(state=CommandState.EXPIRED).exists()


def test_a_recent_or_answered_command_is_left_alone(zk_clock, staff):
    recent = _queue(zk_clock, staff)
    DeviceCommand.objects.filter(pk=recent.pk).update(
        state=CommandState.SENT, sent_at=clock.now() - dt.timedelta(minutes=2)
    )
    answered = _queue(zk_clock, staff)
    DeviceCommand.objects.filter(pk=answered.pk).update(
        state=CommandState.ACKED, sent_at=clock.now() - dt.timedelta(hours=1)
    )
    assert device_services.commands_retry_stale() == 0
    assert DeviceCommand.objects.filter(retry_of__isnull=False).count() == 0


def test_a_pending_command_past_its_expiry_expires(zk_clock, staff):
    cmd = _queue(zk_clock, staff)
    DeviceCommand.objects.filter(pk=cmd.pk).update(expires_at=clock.now() - dt.timedelta(1))
    device_services.commands_retry_stale()
    cmd.refresh_from_db()
    assert cmd.state == CommandState.EXPIRED


def test_only_staff_queue_commands_and_only_to_active_clocks(
    zk_clock, hik_terminal, staff, secretary_a
):
    with pytest.raises(PermissionDenied):
        _queue(zk_clock, secretary_a)
    with pytest.raises(ValidationError, match="已启用的考勤机"):
        _queue(hik_terminal, staff)


# ---------------------------------------------------------------------------
# The nightly reconciliation
# ---------------------------------------------------------------------------
def test_the_nightly_reconciliation_is_queued_once_per_clock_and_day(zk_clock, village_a, staff):
    from attendance.services.devices import device_register

    retired, _t = device_register(
        actor=staff, kind="zk_clock", village=village_a, serial_number="RETIRED0001"
    )
    device_services.device_retire(actor=staff, device=retired)
    assert device_services.reconciliation_queue_all() == 1
    assert device_services.reconciliation_queue_all() == 0  # a second run: nothing new
    nightly = DeviceCommand.objects.get(nightly=True)
    assert nightly.device == zk_clock and nightly.kind == "verify_sum"
    yesterday = clock.today() - dt.timedelta(days=1)
    assert clock.local_date(nightly.period_start) == yesterday
    # Another day is another command.
    assert device_services.reconciliation_queue_all(day=yesterday - dt.timedelta(1)) == 1


def test_two_racing_runs_cannot_both_queue_it(zk_clock):
    """The database decides, not a check before the insert: a second nightly command for
    the same clock and day is refused by the constraint."""
    start = dt.datetime.combine(clock.today(), dt.time(0), clock.now().tzinfo)
    kwargs = {"actor": None, "device": zk_clock, "kind": "verify_sum", "nightly": True}
    device_services.command_queue(**kwargs, start=start, end=start + dt.timedelta(hours=23))
    with pytest.raises(IntegrityError), transaction.atomic():
        device_services.command_queue(**kwargs, start=start, end=start + dt.timedelta(hours=23))
    # Staff may still ask a clock for the same count by hand.
    device_services.command_queue(
        actor=None, device=zk_clock, kind="verify_sum", start=start, end=start + dt.timedelta(1)
    )


# ---------------------------------------------------------------------------
# Flagged punches
# ---------------------------------------------------------------------------
def test_a_flagged_punch_counts_once_staff_accept_it(
    send, duty, staff, secretary_a, django_capture_on_commit_callbacks
):
    day = dt.date(2026, 11, 24)
    liveness.seen(duty["clock"].pk)
    attlog(send, ["2026-11-24 08:29:00"])  # one real-time line, far from now: held for review
    punch = Punch.objects.get(cadre=duty["liu"])
    assert punch.needs_review and not Punch.objects.countable().exists()
    with pytest.raises(PermissionDenied):
        device_services.punch_review(actor=secretary_a, punch=punch, accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        device_services.punch_review(actor=staff, punch=punch, accept=True)
    punch.refresh_from_db()
    assert not punch.needs_review and punch.reviewed_by == staff
    assert Punch.objects.countable().count() == 1
    assert outcome(duty["village"], day).punch_count == 1  # judged again with it


def test_a_rejected_punch_stays_out_and_says_so(send, duty, staff):
    liveness.seen(duty["clock"].pk)
    attlog(send, ["2026-11-24 08:29:00"])
    punch = Punch.objects.get(cadre=duty["liu"])
    device_services.punch_review(actor=staff, punch=punch, accept=False)
    punch.refresh_from_db()
    assert punch.needs_review and "rejected" in punch.flags
    device_services.punch_review(actor=staff, punch=punch, accept=False)
    punch.refresh_from_db()
    assert punch.flags.count("rejected") == 1


# ---------------------------------------------------------------------------
# Judging recent days
# ---------------------------------------------------------------------------
def test_recent_days_are_judged_as_time_passes(duty):
    liveness.seen(duty["clock"].pk)
    now = clock.now()
    changed = outcomes_judge_recent(now=now)
    judged = SlotOutcome.objects.filter(village=duty["village"])
    days = set(judged.values_list("day", flat=True))
    today = clock.today()
    expected = {today - dt.timedelta(days=n) for n in range(3)}
    assert days and days <= expected and changed == judged.count()
    assert outcomes_judge_recent(now=now) == 0  # nothing changed since


# ---------------------------------------------------------------------------
# Pages: approving a pending device, asking for a correction
# ---------------------------------------------------------------------------
def test_staff_approve_a_pending_device_into_a_village(client, village_a, staff, secretary_a):
    pending = device_services.ensure_pending(serial="PEND0001", kind="zk_clock")
    url = f"/attendance/devices/{pending.pk}/assign/"
    data = {"village": village_a.pk, "installed_on": "2026-11-20"}
    client.force_login(secretary_a)
    assert client.post(url, data).status_code == 404  # (a pending device is in no village)
    client.force_login(staff)
    bad = client.post(url, {"village": "", "installed_on": "2026-11-20"}, follow=True)
    assert "村（社区）" in bad.content.decode()
    pending.refresh_from_db()
    assert pending.status == DeviceStatus.PENDING
    assert client.post(url, data).status_code == 302
    pending.refresh_from_db()
    assert pending.status == DeviceStatus.ACTIVE and pending.village == village_a
    assert pending.installed_on == dt.date(2026, 11, 20)


def test_a_correction_is_asked_for_on_the_page_by_the_village_or_staff(
    client, duty, secretary_a, secretary_b
):
    slot = DutySlot.objects.filter(village=duty["village"], day=dt.date(2026, 11, 24)).get()
    url = f"/attendance/slots/{slot.pk}/correct/"
    client.force_login(secretary_b)
    assert client.post(url, {"state": "on_time", "reason": "x"}).status_code == 404
    client.force_login(secretary_a)
    empty = client.post(url, {"state": "on_time", "reason": ""}, follow=True)
    assert "原因" in empty.content.decode() and not slot.corrections.exists()
    done = client.post(url, {"state": "on_time", "reason": "考勤机停电"})
    assert done.status_code == 302
    assert slot.corrections.get().requested_by == secretary_a


@pytest.mark.parametrize(
    ("state", "reason", "message"),
    [
        ("pending", "原因", "有效的更正结果"),
        ("bogus", "原因", "有效的更正结果"),
        ("on_time", " ", "原因"),
    ],
)
def test_a_correction_needs_a_real_state_and_a_reason(duty, staff, state, reason, message):
    slot = DutySlot.objects.filter(village=duty["village"], day=dt.date(2026, 11, 24)).get()
    with pytest.raises(ValidationError, match=message):
        correction_request(actor=staff, slot=slot, state=state, reason=reason)


def test_a_correction_waits_until_the_slot_has_ended(duty, staff):
    later = DutySlot.objects.filter(village=duty["village"], day__gt=clock.today()).first()
    with pytest.raises(ValidationError, match="尚未结束"):
        correction_request(actor=staff, slot=later, state="on_time", reason="提前")


def test_another_village_cannot_correct(duty, secretary_b):
    slot = DutySlot.objects.filter(village=duty["village"], day=dt.date(2026, 11, 24)).get()
    with pytest.raises(PermissionDenied):
        correction_request(actor=secretary_b, slot=slot, state="on_time", reason="越权")


def test_the_review_page_counts_or_keeps_out_a_flagged_punch(
    client, send, duty, staff, secretary_a
):
    liveness.seen(duty["clock"].pk)
    attlog(send, ["2026-11-24 08:29:00"])
    punch = Punch.objects.get(cadre=duty["liu"])
    client.force_login(secretary_a)
    assert (
        client.post("/attendance/devices/review/", {"punch": punch.pk, "accept": "1"}).status_code
        == 403
    )
    client.force_login(staff)
    unclear = client.post(
        "/attendance/devices/review/", {"punch": punch.pk, "accept": "maybe"}, follow=True
    )
    assert "有效的选项" in unclear.content.decode() or "选择" in unclear.content.decode()
    punch.refresh_from_db()
    assert punch.needs_review
    client.post("/attendance/devices/review/", {"punch": punch.pk, "accept": "1"})
    punch.refresh_from_db()
    assert not punch.needs_review and punch.reviewed_by == staff


def test_the_device_panel_says_never_heard_from_silent_and_demo(
    client, zk_clock, village_a, staff, send
):
    from attendance.models import Device

    device_services.device_register(
        actor=staff, kind="camera", village=village_a, mac_address="c0:56:e3:00:00:01"
    )
    client.force_login(staff)
    page = client.get("/attendance/devices/").content.decode()
    assert page.count('data-testid="state-never"') == 2  # (the clock and the camera)
    assert "demo-devices" not in page
    liveness.seen(zk_clock.pk)
    Device.objects.filter(pk=zk_clock.pk).update(last_seen_at=clock.now() - dt.timedelta(hours=3))
    liveness.clear_local()
    from django.core.cache import cache

    cache.clear()
    page = client.get("/attendance/devices/").content.decode()
    assert page.count('data-testid="state-never"') == 1 and "失联" in page
    village_a.is_demo = True
    village_a.save()
    assert 'data-testid="demo-devices"' in client.get("/attendance/devices/").content.decode()
