"""Recording the belt's working records from the pages (not only the admin)."""

import datetime as dt

from demonstration_belt.models import (
    Finding,
    Meeting,
    PartyDayActivity,
    PartyDayMethod,
    Suggestion,
)


def test_secretary_records_a_party_day_for_own_village_only(
    client, secretary_a, village_a, village_b
):
    method = PartyDayMethod.objects.create(name="重温入党誓词")
    client.force_login(secretary_a)
    data = {
        "village": village_a.pk,
        "held_on": "2026-11-15",
        "theme": "学习全会精神",
        "methods": [method.pk],
        "attendance": 30,
        "members_total": 35,
    }
    assert client.post("/belt/party-days/new/", data).status_code == 302
    assert PartyDayActivity.objects.get().methods.get() == method
    other = client.post("/belt/party-days/new/", {**data, "village": village_b.pk})
    assert other.status_code == 200 and "村（社区）：" in other.content.decode()
    too_many = client.post("/belt/party-days/new/", {**data, "attendance": 40})
    assert "参加人数：" in too_many.content.decode()
    assert PartyDayActivity.objects.count() == 1


def test_suggestion_and_finding_forms(client, secretary_a, instructor_a, village_a):
    client.force_login(secretary_a)
    response = client.post(
        "/belt/suggestions/new/",
        {
            "village": village_a.pk,
            "source": "salon",
            "proposer": "党员甲",
            "content": "增设路灯",
            "received_on": "2026-11-20",
            "due_on": "2026-12-20",
        },
    )
    assert response.status_code == 302 and Suggestion.objects.get().content == "增设路灯"
    refused = client.post(
        "/belt/findings/new/",
        {
            "village": village_a.pk,
            "description": "台账不全",
            "owner": "书记",
            "deadline": "2026-12-31",
        },
    )
    assert "无权" in refused.content.decode() and not Finding.objects.exists()
    client.force_login(instructor_a)
    client.post(
        "/belt/findings/new/",
        {
            "village": village_a.pk,
            "description": "台账不全",
            "owner": "书记",
            "deadline": "2026-12-31",
        },
    )
    assert Finding.objects.get().deadline == dt.date(2026, 12, 31)


def test_meetings_are_recorded_by_staff(client, secretary_a, subdistrict_admin, village_a):
    client.force_login(secretary_a)
    assert client.get("/belt/meetings/new/").status_code == 403
    client.force_login(subdistrict_admin)
    response = client.post(
        "/belt/meetings/new/",
        {
            "kind": "promotion",
            "title": "推进会",
            "held_on": "2026-11-18",
            "villages": [village_a.pk],
            "minutes": "交流",
            "decisions": "月底完成",
        },
    )
    assert response.status_code == 302
    assert list(Meeting.objects.get().villages.all()) == [village_a]
