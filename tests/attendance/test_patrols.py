import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from attendance.models import PatrolFinding
from attendance.services.patrols import finding_confirm, patrol_record


def record(actor, duty_village, result):
    return patrol_record(
        actor=actor,
        village=duty_village["village"],
        checked_at=timezone.now() - dt.timedelta(hours=2),
        method="video",
        result=result,
        cadre=duty_village["zheng"],
        note="视频巡查",
    )


def test_unreported_absence_becomes_a_finding(duty_village, subdistrict_admin):
    check = record(subdistrict_admin, duty_village, "away_unreported")
    finding = finding_confirm(actor=subdistrict_admin, check=check, reason="核实")
    assert finding.cadre == duty_village["zheng"]
    assert finding.village == duty_village["village"]
    with pytest.raises(ValidationError):
        finding_confirm(actor=subdistrict_admin, check=check, reason="again")


def test_reported_absence_is_not_a_finding(duty_village, subdistrict_admin):
    check = record(subdistrict_admin, duty_village, "away_reported")
    with pytest.raises(ValidationError):
        finding_confirm(actor=subdistrict_admin, check=check, reason="x")
    assert not PatrolFinding.objects.exists()


def test_only_staff_confirm_and_secretaries_do_not_patrol(
    duty_village, subdistrict_admin, instructor_a, secretary_a
):
    check = record(instructor_a, duty_village, "office_closed")
    with pytest.raises(PermissionDenied):
        finding_confirm(actor=instructor_a, check=check, reason="x")
    with pytest.raises(PermissionDenied):
        record(secretary_a, duty_village, "at_post")


def test_patrol_page_scoped(client, duty_village, subdistrict_admin, secretary_b):
    check = record(subdistrict_admin, duty_village, "away_unreported")
    client.force_login(secretary_b)
    assert "郑值班" not in client.get("/attendance/patrols/").content.decode()
    assert client.get(f"/attendance/patrols/{check.pk}/confirm/").status_code == 404
