"""Leave and out-on-business: approval tiered by length."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from attendance.models import AbsenceReport, ApprovalTier
from attendance.services.absences import absence_decide, absence_submit
from jinhu.core.perms import rule_allows
from tests.factories import make_user
from villages.models import Role


def can_decide(user, report) -> bool:
    return rule_allows("attendance.decide_absence", user, report)


def at(day, hour):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def tiers(db):
    ApprovalTier.objects.create(max_days=1, needs_secretary=True)
    ApprovalTier.objects.create(max_days=3, needs_secretary=True, needs_instructor=True)
    ApprovalTier.objects.create(
        max_days=None, needs_secretary=True, needs_instructor=True, needs_staff=True
    )


def submit(actor, cadre, days, kind="leave", start=dt.date(2026, 12, 1)):
    return absence_submit(
        actor=actor,
        cadre=cadre,
        kind=kind,
        starts_at=at(start, 8),
        ends_at=at(start + dt.timedelta(days=days - 1), 17),
        reason="家中有事",
        destination="县城" if kind == "out" else "",
    )


def test_one_day_needs_the_secretary_only(tiers, duty_village, secretary_a):
    report = submit(secretary_a, duty_village["zheng"], 1)
    assert report.required_levels == ["secretary"]
    absence_decide(actor=secretary_a, report=report, approve=True)
    report.refresh_from_db()
    assert report.status == AbsenceReport.Status.APPROVED


def test_three_days_need_secretary_then_instructor(tiers, duty_village, secretary_a, instructor_a):
    report = submit(secretary_a, duty_village["zheng"], 3)
    assert report.required_levels == ["secretary", "instructor"]
    assert not can_decide(instructor_a, report)  # the secretary decides first
    absence_decide(actor=secretary_a, report=report, approve=True)
    report.refresh_from_db()
    assert report.status == AbsenceReport.Status.PENDING
    with pytest.raises(PermissionDenied):
        absence_decide(actor=secretary_a, report=report, approve=True)
    absence_decide(actor=instructor_a, report=report, approve=True)
    report.refresh_from_db()
    assert report.status == AbsenceReport.Status.APPROVED


def test_more_than_three_days_go_to_the_subdistrict(
    tiers, duty_village, secretary_a, instructor_a, subdistrict_admin
):
    report = submit(secretary_a, duty_village["zheng"], 5, kind="out")
    assert report.required_levels == ["secretary", "instructor", "staff"]
    absence_decide(actor=secretary_a, report=report, approve=True)
    absence_decide(actor=instructor_a, report=report, approve=True)
    assert not can_decide(instructor_a, report)
    absence_decide(actor=subdistrict_admin, report=report, approve=True)
    report.refresh_from_db()
    assert report.status == AbsenceReport.Status.APPROVED


def test_village_tier_overrides_the_subdistrict(tiers, duty_village, secretary_a):
    ApprovalTier.objects.create(
        village=duty_village["village"], max_days=None, needs_secretary=True
    )
    assert submit(secretary_a, duty_village["zheng"], 5).required_levels == ["secretary"]


def test_secretary_own_leave_goes_up_a_level(tiers, duty_village, secretary_a):
    report = submit(secretary_a, duty_village["wu"], 1)  # Wu is the party secretary
    assert report.required_levels == ["instructor"]


def test_nobody_approves_their_own_report(tiers, duty_village, secretary_a):
    from villages.models import Profile

    Profile.objects.filter(user=secretary_a).update(cadre=duty_village["zheng"])
    secretary_a.refresh_from_db()
    report = submit(secretary_a, duty_village["zheng"], 1)
    assert not can_decide(secretary_a, report)


def test_rejection_needs_a_comment_and_ends_the_report(tiers, duty_village, secretary_a):
    report = submit(secretary_a, duty_village["zheng"], 1)
    with pytest.raises(ValidationError):
        absence_decide(actor=secretary_a, report=report, approve=False)
    absence_decide(actor=secretary_a, report=report, approve=False, comment="当天有重要会议")
    report.refresh_from_db()
    assert report.status == AbsenceReport.Status.REJECTED


def test_secretary_b_can_neither_submit_nor_decide(tiers, duty_village, secretary_a, secretary_b):
    with pytest.raises(PermissionDenied):
        submit(secretary_b, duty_village["zheng"], 1)
    report = submit(secretary_a, duty_village["zheng"], 1)
    assert not can_decide(secretary_b, report)


def test_out_on_business_needs_a_destination(tiers, duty_village, secretary_a):
    with pytest.raises(ValidationError):
        absence_submit(
            actor=secretary_a,
            cadre=duty_village["zheng"],
            kind="out",
            starts_at=at(dt.date(2026, 12, 1), 8),
            ends_at=at(dt.date(2026, 12, 1), 12),
            reason="办事",
        )


def test_overlapping_reports_are_refused(tiers, duty_village, secretary_a):
    submit(secretary_a, duty_village["zheng"], 2)
    with pytest.raises(ValidationError, match="已有"):
        submit(secretary_a, duty_village["zheng"], 1, start=dt.date(2026, 12, 2))


def test_without_configured_tiers_the_default_applies(duty_village, secretary_a):
    assert submit(secretary_a, duty_village["zheng"], 2).required_levels == [
        "secretary",
        "instructor",
    ]


def test_absence_pages_are_scoped(client, tiers, duty_village, secretary_a, secretary_b):
    report = submit(secretary_a, duty_village["zheng"], 1)
    client.force_login(secretary_b)
    assert client.get(f"/attendance/absences/{report.pk}/").status_code == 404
    assert "郑值班" not in client.get("/attendance/absences/").content.decode()
    client.force_login(secretary_a)
    response = client.post(f"/attendance/absences/{report.pk}/", {"approve": "1", "comment": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "approved"


def test_absence_form_names_bad_fields(client, duty_village, secretary_a):
    client.force_login(secretary_a)
    response = client.post(
        "/attendance/absences/new/",
        {
            "cadre": duty_village["zheng"].pk,
            "kind": "out",
            "starts_at": "2026-12-01T08:00",
            "ends_at": "yesterday",
            "destination": "",
            "reason": "办事",
        },
    )
    body = response.content.decode()
    assert "外出地点：" in body
    assert "结束时间（预计返回）：" in body


def test_instructor_role_for_liaison(tiers, duty_village, secretary_a):
    liaison = make_user("liaison-a", Role.LIAISON, villages=[duty_village["village"]])
    report = submit(secretary_a, duty_village["zheng"], 2)
    absence_decide(actor=secretary_a, report=report, approve=True)
    assert can_decide(liaison, report)


def test_one_person_never_approves_two_tiers(
    client, tiers, duty_village, secretary_a, instructor_a, subdistrict_admin
):
    """Staff may act at any tier, but each tier is a different person: the one who
    approved at the secretary's tier is refused at the instructor's and the staff's."""
    report = submit(secretary_a, duty_village["zheng"], 5, kind="out")
    absence_decide(actor=subdistrict_admin, report=report, approve=True)  # (secretary tier)
    report.refresh_from_db()
    assert not can_decide(subdistrict_admin, report)
    with pytest.raises(PermissionDenied, match="每一级须由不同的人审批"):
        absence_decide(actor=subdistrict_admin, report=report, approve=True)
    # No button that would lead there.
    client.force_login(subdistrict_admin)
    page = client.get(f"/attendance/absences/{report.pk}/").content.decode()
    assert "提交审批意见" not in page
    client.force_login(instructor_a)
    assert "提交审批意见" in client.get(f"/attendance/absences/{report.pk}/").content.decode()
    absence_decide(actor=instructor_a, report=report, approve=True)
    with pytest.raises(PermissionDenied):
        absence_decide(actor=instructor_a, report=report, approve=True)
    second_staff = make_user("staff-two", Role.STAFF, display_name="街道另一人")
    absence_decide(actor=second_staff, report=report, approve=True)
    report.refresh_from_db()
    assert report.status == AbsenceReport.Status.APPROVED
    assert len({a.approver_id for a in report.approvals.all()}) == 3
