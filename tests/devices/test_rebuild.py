"""The set-based rebuild (SQL) reaches exactly the Python judge's outcomes."""

import datetime as dt

import pytest
from django.utils import timezone

from attendance.models import (
    COMPLIANT_STATES,
    JUDGED_STATES,
    AbsenceReport,
    Device,
    DeviceEvent,
    DeviceRequest,
    DutyRules,
    DutySlot,
    DutyTally,
    OutcomeCorrection,
    Punch,
    RotationEntry,
    SlotOutcome,
)
from attendance.services import liveness
from attendance.services.outcomes import OUTCOME_FIELDS, outcomes_judge
from attendance.services.rebuild import outcomes_rebuild
from attendance.services.rosters import slots_materialize
from attendance.services.tallies import COUNTS
from tests.factories import CadreFactory, VillageFactory

FIELDS = ("slot_id", *OUTCOME_FIELDS)
TZ = dt.timezone(dt.timedelta(hours=8))


def at(day, h, m):
    return dt.datetime.combine(day, dt.time(h, m), TZ)


@pytest.fixture
def scene(subdistrict_admin):
    """Two villages, five cadres each, every weekday for two weeks, varied behaviour."""
    start = dt.date(2026, 11, 2)  # Monday
    days = [start + dt.timedelta(days=n) for n in range(14)]
    villages = []
    request = None
    for n in range(2):
        village = VillageFactory()
        DutyRules.objects.create(village=village)
        device = Device.objects.create(
            village=village,
            kind="zk_clock",
            serial_number=f"REB{n}",
            status="active",
            installed_on=dt.date(2025, 1, 1),
        )
        camera = Device.objects.create(village=village, kind="camera", status="active", name="cam")
        # Village 0's clock was heard after everything; village 1's fell silent on the 10th.
        seen = timezone.now() if n == 0 else at(dt.date(2026, 11, 10), 12, 0)
        Device.objects.filter(pk=device.pk).update(last_seen_at=seen)
        request = DeviceRequest.objects.create(
            device=device,
            protocol="zk",
            kind="attlog",
            method="POST",
            path="/",
            received_at=seen,
            status="accepted",
        )
        cadres = [CadreFactory(village=village) for _ in range(5)]
        for c, cadre in enumerate(cadres):
            RotationEntry.objects.create(
                village=village, cadre=cadre, weekday=c, part="full", valid_from=start
            )
        slots_materialize(village=village, start=start, end=days[-1], include_started=True)
        punches = []
        workdays = [day for day in days if day.weekday() < 5]
        for d, day in enumerate(workdays):
            cadre = cadres[day.weekday()]
            case = (d + n) % 6
            times = {
                0: [(8, 20), (17, 5)],
                1: [(8, 55), (17, 10)],
                2: [(8, 20), (16, 10)],
                3: [(9, 30), (16, 0)],
                4: [],
                5: [(8, 25)],
            }[case]
            for k, (h, m) in enumerate(times):
                punches.append(
                    Punch(
                        device=device,
                        village=village,
                        source="zk_attlog",
                        pin=str(cadre.pk),
                        cadre=cadre,
                        punched_at=at(day, h, m),
                        raw_time=f"{day} {h}:{m}",
                        status=k,
                        verify=4 if case == 1 else 1,
                        is_biometric=case != 1,
                        request=request,
                        line_no=len(punches) + 1,
                        received_at=seen,
                    )
                )
            if case == 0:
                DeviceEvent.objects.create(
                    device=camera,
                    request=request,
                    line_no=d + 100 * n,
                    kind="camera",
                    occurred_at=at(day, 10, 0),
                )
        Punch.objects.bulk_create(punches)
        AbsenceReport.objects.create(
            village=village,
            cadre=cadres[2],
            kind="out",
            starts_at=at(days[2], 9, 0),
            ends_at=at(days[2], 15, 0),
            destination="街道",
            reason="办事",
            status="approved",
            submitted_by=subdistrict_admin,
        )
        villages.append(village)
    first_slot = DutySlot.objects.filter(village=villages[0]).order_by("day").first()
    OutcomeCorrection.objects.create(
        slot=first_slot,
        state="excused",
        reason="会议",
        status="approved",
        requested_by=subdistrict_admin,
        approved_by=subdistrict_admin,
        decided_at=first_slot.ends_at,
    )
    # A requested correction not yet approved, and a rejected one: neither counts.
    for status in ("pending", "rejected"):
        OutcomeCorrection.objects.create(
            slot=DutySlot.objects.filter(village=villages[1]).order_by("day").first(),
            state="excused",
            reason="未批准",
            status=status,
            requested_by=subdistrict_admin,
        )
    liveness.clear_local()
    return {"villages": villages, "days": days}


def snapshot():
    return sorted(SlotOutcome.objects.values_list(*FIELDS))


def tallies():
    return sorted(DutyTally.objects.values_list("village_id", "year", "month", *COUNTS))


def counted_by_hand():
    out = {}
    for village_id, day, state in SlotOutcome.objects.values_list("village_id", "day", "state"):
        row = out.setdefault((village_id, day.year, day.month), [0, 0])
        row[0] += state in JUDGED_STATES
        row[1] += state in COMPLIANT_STATES
    return sorted((*key, *counts) for key, counts in out.items())


@pytest.mark.postgres
def test_sql_rebuild_equals_the_python_judge(scene):
    now = at(dt.date(2026, 11, 13), 12, 0)  # Friday noon: the 13th is still pending
    for village in scene["villages"]:
        outcomes_judge(village, scene["days"], now=now)
    expected = snapshot()
    expected_tallies = tallies()
    assert expected_tallies == counted_by_hand()
    assert {row[3] for row in expected_tallies} != {0}  # something was judged
    states = {row[1] for row in expected}
    assert {
        "on_time",
        "late",
        "left_early",
        "late_early",
        "absent",
        "excused",
        "unknown",
        "pending",
    } <= states
    SlotOutcome.objects.all().delete()
    DutyTally.objects.all().delete()
    written = outcomes_rebuild(start=scene["days"][0], end=scene["days"][-1], now=now)
    assert written == len(expected)
    assert snapshot() == expected
    assert tallies() == expected_tallies
    # Running it again changes nothing.
    assert outcomes_rebuild(start=scene["days"][0], end=scene["days"][-1], now=now) == 0


@pytest.mark.postgres
def test_sql_rebuild_updates_changed_outcomes(scene):
    now = at(dt.date(2026, 11, 20), 12, 0)
    outcomes_rebuild(start=scene["days"][0], end=scene["days"][-1], now=now)
    before = tallies()
    SlotOutcome.objects.update(state="absent", note="tampered")
    outcomes_rebuild(start=scene["days"][0], end=scene["days"][-1], now=now)
    assert not SlotOutcome.objects.filter(note="tampered").exists()
    assert tallies() == before == counted_by_hand()


@pytest.mark.postgres
def test_parts_on_their_own_connections_reach_the_same_outcomes(transactional_db, scene):
    now = at(dt.date(2026, 11, 13), 12, 0)
    for village in scene["villages"]:
        outcomes_judge(village, scene["days"], now=now)
    expected, expected_tallies = snapshot(), tallies()
    SlotOutcome.objects.all().delete()
    DutyTally.objects.all().delete()
    days = scene["days"]
    assert outcomes_rebuild(start=days[0], end=days[-1], now=now, workers=2) == len(expected)
    assert snapshot() == expected
    assert tallies() == expected_tallies


@pytest.mark.postgres
def test_a_biometric_punch_at_the_arrival_time_counts_in_both(scene):
    now = at(dt.date(2026, 11, 20), 12, 0)
    slot = DutySlot.objects.filter(village=scene["villages"][0], day=dt.date(2026, 11, 5)).first()
    Punch.objects.filter(cadre=slot.cadre, punched_at__date=slot.day).delete()
    request = DeviceRequest.objects.first()
    device = Device.objects.get(pk=request.device_id)
    # A card and a fingerprint in the same second, then a departure.
    for verify, bio, (h, m) in ((4, False, (8, 25)), (1, True, (8, 25)), (15, True, (17, 5))):
        Punch.objects.create(
            device=device,
            village=slot.village,
            source="zk_attlog",
            pin=f"tie{verify}",
            cadre=slot.cadre,
            punched_at=at(slot.day, h, m),
            raw_time=f"{slot.day} {h}:{m}",
            status=0,
            verify=verify,
            is_biometric=bio,
            request=request,
            line_no=900 + verify,
            received_at=now,
        )
    outcomes_judge(slot.village, [slot.day], now=now)
    judged = SlotOutcome.objects.get(slot=slot)
    assert judged.biometric
    assert (judged.state, judged.note) == ("on_time", "")
    expected = SlotOutcome.objects.filter(slot=slot).values_list(*FIELDS).get()
    SlotOutcome.objects.filter(slot=slot).delete()
    # (The rebuild takes whole months: the rest of the village's month is judged too.)
    outcomes_rebuild(start=slot.day, end=slot.day, villages=[slot.village], now=now)
    assert SlotOutcome.objects.filter(slot=slot).values_list(*FIELDS).get() == expected


@pytest.mark.postgres
def test_a_rebuild_colliding_with_the_judge_falls_back_to_upserting(scene, monkeypatch):
    """A judge storing a slot's outcome between the rebuild's snapshot and its insert makes
    the plain INSERT fail; the part runs again with ON CONFLICT and reaches the same rows."""
    from attendance.services import rebuild

    now = at(dt.date(2026, 11, 13), 12, 0)
    for village in scene["villages"]:
        outcomes_judge(village, scene["days"], now=now)
    expected = snapshot()
    SlotOutcome.objects.filter(slot__day=scene["days"][0]).update(state="absent", note="x")
    # As if the rebuild had not seen the existing outcomes: its INSERT collides.
    blind = rebuild.SQL.replace(
        "WHERE NOT EXISTS (SELECT 1 FROM attendance_slotoutcome x",
        "WHERE true OR EXISTS (SELECT 1 FROM attendance_slotoutcome x",
    )
    monkeypatch.setattr(rebuild, "SQL", blind)
    written = outcomes_rebuild(start=scene["days"][0], end=scene["days"][-1], now=now)
    assert written == SlotOutcome.objects.filter(slot__day=scene["days"][0]).count()
    assert snapshot() == expected


def promises():
    from attendance.models import DutyPromise

    return sorted(DutyPromise.objects.values_list("village_id", "year", "as_of", "cadres", "kept"))


@pytest.mark.postgres
@pytest.mark.parametrize("workers", [1, 2])
def test_a_whole_year_rebuilt_counts_the_duty_promise_as_the_judge_does(
    transactional_db, scene, workers
):
    """Rebuilding a calendar year writes its duty-promise counts in the same statement;
    they equal promise_refresh's (the judge's), zero rows included."""
    from attendance.models import DutyPromise
    from attendance.services.tallies import promise_refresh
    from tests.factories import VillageFactory

    VillageFactory()  # a village with no slots at all
    now = at(dt.date(2026, 11, 20), 12, 0)
    outcomes_rebuild(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), now=now, workers=workers)
    from_sql = promises()
    assert {row[2] for row in from_sql} == {dt.date(2026, 11, 20)}
    assert any(row[3] for row in from_sql) and any(row[3] == 0 for row in from_sql)
    DutyPromise.objects.all().delete()
    promise_refresh(years=[2026], today=dt.date(2026, 11, 20))
    assert promises() == from_sql
