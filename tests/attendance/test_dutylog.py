import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attendance.models import DutyLogEntry
from attendance.services.dutylog import dutylog_record, handover_record


@pytest.fixture
def entries(duty_village, secretary_a):
    v, wu, zheng = duty_village["village"], duty_village["wu"], duty_village["zheng"]
    day = dt.date(2026, 11, 20)
    dutylog_record(
        actor=secretary_a,
        village=v,
        cadre=wu,
        day=day,
        kind="visit",
        summary="咨询",
        people_count=3,
    )
    dutylog_record(
        actor=secretary_a,
        village=v,
        cadre=wu,
        day=day,
        kind="matter",
        summary="开证明",
        people_count=1,
        matter_type="certificate",
        outcome="done",
    )
    dutylog_record(
        actor=secretary_a,
        village=v,
        cadre=zheng,
        day=day,
        kind="dispute",
        summary="邻里纠纷",
        people_count=2,
        parties_count=2,
        outcome="mediated",
    )
    return duty_village


def test_totals_equal_the_sum_of_entries(entries):
    totals = DutyLogEntry.objects.totals()
    assert totals == {"visitors": 6, "matters": 1, "disputes": 1, "entries": 3}
    assert totals["visitors"] == sum(DutyLogEntry.objects.values_list("people_count", flat=True))
    by_cadre = DutyLogEntry.objects.filter(cadre=entries["wu"]).totals()
    assert by_cadre["visitors"] == 4 and by_cadre["matters"] == 1


def test_matter_needs_type_and_outcome(duty_village, secretary_a):
    with pytest.raises(ValidationError):
        dutylog_record(
            actor=secretary_a,
            village=duty_village["village"],
            cadre=duty_village["wu"],
            day=dt.date(2026, 11, 20),
            kind="matter",
            summary="办事",
        )


def test_dispute_needs_two_parties(duty_village, secretary_a):
    with pytest.raises(ValidationError):
        dutylog_record(
            actor=secretary_a,
            village=duty_village["village"],
            cadre=duty_village["wu"],
            day=dt.date(2026, 11, 20),
            kind="dispute",
            summary="纠纷",
            parties_count=1,
            outcome="mediated",
        )


def test_future_dates_are_refused(duty_village, secretary_a):
    with pytest.raises(ValidationError):
        dutylog_record(
            actor=secretary_a,
            village=duty_village["village"],
            cadre=duty_village["wu"],
            day=dt.date(2026, 12, 20),
            kind="visit",
            summary="x",
        )


def test_secretary_b_cannot_record_for_a(duty_village, secretary_b):
    with pytest.raises(PermissionDenied):
        dutylog_record(
            actor=secretary_b,
            village=duty_village["village"],
            cadre=duty_village["wu"],
            day=dt.date(2026, 11, 20),
            kind="visit",
            summary="x",
        )


def test_handover(duty_village, secretary_a):
    h = handover_record(
        actor=secretary_a,
        village=duty_village["village"],
        day=dt.date(2026, 11, 24),
        from_cadre=duty_village["wu"],
        to_cadre=duty_village["zheng"],
        notes="低保材料待补",
    )
    assert h.pk


def test_totals_page_drills_down_to_entries(client, entries, subdistrict_admin):
    client.force_login(subdistrict_admin)
    body = client.get("/attendance/dutylog/?year=2026").content.decode()
    assert "dutylog/entries/?year=2026&amp;kind=dispute" in body
    drill = client.get("/attendance/dutylog/entries/?year=2026&kind=dispute")
    assert list(drill.context["page"]) == list(DutyLogEntry.objects.filter(kind="dispute"))


def test_drill_down_is_scoped(client, entries, secretary_b):
    client.force_login(secretary_b)
    response = client.get("/attendance/dutylog/entries/?year=2026")
    assert response.context["totals"]["entries"] == 0
    assert "邻里纠纷" not in response.content.decode()


def test_entries_page_query_count(
    client, entries, subdistrict_admin, django_assert_max_num_queries, secretary_a
):
    client.force_login(subdistrict_admin)
    with django_assert_max_num_queries(16):
        client.get("/attendance/dutylog/entries/")
    for _ in range(20):
        dutylog_record(
            actor=secretary_a,
            village=entries["village"],
            cadre=entries["wang"],
            day=dt.date(2026, 11, 21),
            kind="visit",
            summary="咨询",
        )
    with django_assert_max_num_queries(16):
        client.get("/attendance/dutylog/entries/")


def test_village_page_totals_per_cadre(client, entries, secretary_a):
    client.force_login(secretary_a)
    response = client.get(f"/attendance/{entries['village'].code}/dutylog/")
    rows = {r["cadre__name"]: r for r in response.context["by_cadre"]}
    assert rows["吴值班"]["visitors"] == 4 and rows["吴值班"]["matters"] == 1
    assert rows["郑值班"]["disputes"] == 1
