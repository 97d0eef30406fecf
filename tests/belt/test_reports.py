"""The monthly report workflow: transitions by role, scoping, reopen, evidence, late list."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from demonstration_belt.models import Evidence, ReportEvent, ReportStatus
from demonstration_belt.selectors import late_reports, todo_for
from demonstration_belt.services import reports as reports_service
from tests.belt.conftest import jpeg


def fill(report, actor):
    items = {
        i.pk: {"progress": "in_progress", "value": None, "note": "推进中"}
        for i in report.items.all()
    }
    return reports_service.report_save_draft(
        actor=actor, report=report, narrative="本月开展主题党日。", items=items
    )


def test_full_workflow_and_forbidden_transitions(
    report_a, secretary_a, instructor_a, subdistrict_admin, secretary_b
):
    assert report_a.items.count() == 2 and report_a.status == ReportStatus.DRAFT
    with pytest.raises(PermissionDenied):
        reports_service.report_approve(
            actor=secretary_a, report=report_a
        )  # nobody approves a draft…
    with pytest.raises(ValidationError):
        reports_service.report_approve(
            actor=instructor_a, report=report_a
        )  # …not even the reviewer
    fill(report_a, secretary_a)
    reports_service.report_submit(actor=secretary_a, report=report_a)
    with pytest.raises(ValidationError):
        reports_service.report_submit(actor=secretary_a, report=report_a)  # twice
    with pytest.raises(PermissionDenied):
        reports_service.report_approve(actor=secretary_a, report=report_a)  # own report
    with pytest.raises(PermissionDenied):
        reports_service.report_return(actor=secretary_b, report=report_a, comment="x")
    with pytest.raises(ValidationError):
        reports_service.report_return(actor=instructor_a, report=report_a, comment="")
    reports_service.report_return(actor=instructor_a, report=report_a, comment="请补充照片")
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.RETURNED and report_a.editable
    fill(report_a, secretary_a)
    reports_service.report_submit(actor=secretary_a, report=report_a)
    reports_service.report_approve(actor=subdistrict_admin, report=report_a)
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.APPROVED
    actions = list(report_a.events.values_list("action", flat=True))
    assert actions == ["submit", "return", "submit", "approve"]


def test_approved_reports_are_read_only_until_a_logged_reopen(
    report_a, secretary_a, instructor_a, subdistrict_admin
):
    fill(report_a, secretary_a)
    reports_service.report_submit(actor=secretary_a, report=report_a)
    reports_service.report_approve(actor=instructor_a, report=report_a)
    with pytest.raises(ValidationError):
        fill(report_a, secretary_a)
    with pytest.raises(ValidationError):
        reports_service.evidence_add(actor=secretary_a, report=report_a, uploaded=jpeg())
    with pytest.raises(PermissionDenied):
        reports_service.report_reopen(actor=instructor_a, report=report_a, comment="想改")
    with pytest.raises(ValidationError):
        reports_service.report_reopen(actor=subdistrict_admin, report=report_a, comment="")
    reports_service.report_reopen(
        actor=subdistrict_admin, report=report_a, comment="数据录入错误，退回更正"
    )
    event = ReportEvent.objects.get(report=report_a, action="reopen")
    assert event.actor == subdistrict_admin and "录入错误" in event.comment
    fill(report_a, secretary_a)  # editable again


def test_secretary_b_can_neither_see_nor_submit_for_a(client, report_a, secretary_b, village_a):
    client.force_login(secretary_b)
    assert client.get(report_a.get_absolute_url()).status_code == 404
    assert client.post(report_a.get_absolute_url(), {"action": "submit"}).status_code == 404
    assert client.get(f"/belt/reports/{village_a.code}/2026/10/").status_code == 404
    assert "甲村" not in client.get("/belt/reports/").content.decode()
    with pytest.raises(PermissionDenied):
        reports_service.report_submit(actor=secretary_b, report=report_a)
    with pytest.raises(PermissionDenied):
        reports_service.report_open(actor=secretary_b, village=village_a, year=2026, month=9)


def test_evidence_refuses_a_renamed_executable_and_an_oversized_file(report_a, secretary_a):
    fake = SimpleUploadedFile(
        "photo.jpg", b"MZ\x90\x00" + b"\x00" * 2000, content_type="image/jpeg"
    )
    with pytest.raises(ValidationError, match="不是"):
        reports_service.evidence_add(actor=secretary_a, report=report_a, uploaded=fake)
    big = SimpleUploadedFile(
        "scan.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1), content_type="application/pdf"
    )
    with pytest.raises(ValidationError, match="10 MB"):
        reports_service.evidence_add(actor=secretary_a, report=report_a, uploaded=big)
    assert not Evidence.objects.exists()


def test_photos_are_shrunk_and_served_only_in_scope(client, report_a, secretary_a, secretary_b):
    evidence = reports_service.evidence_add(
        actor=secretary_a, report=report_a, uploaded=jpeg((3000, 2000))
    )
    from PIL import Image

    with Image.open(evidence.file.path) as image:
        assert max(image.size) == 1600
    client.force_login(secretary_b)
    assert client.get(f"/belt/evidence/{evidence.pk}/").status_code == 404
    client.force_login(secretary_a)
    response = client.get(f"/belt/evidence/{evidence.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_a_failed_upload_keeps_the_draft(client, report_a, secretary_a):
    client.force_login(secretary_a)
    items = {f"progress_{i.pk}": "in_progress" for i in report_a.items.all()}
    response = client.post(
        report_a.get_absolute_url(),
        {
            "action": "submit",
            "narrative": "草稿里的重要内容",
            **items,
            "evidence": SimpleUploadedFile("x.jpg", b"not an image"),
        },
    )
    assert response.status_code == 302
    report_a.refresh_from_db()
    assert report_a.narrative == "草稿里的重要内容"
    assert report_a.status == ReportStatus.DRAFT  # not submitted with a broken upload


def test_late_report_list(report_a, village_b, subdistrict_admin, secretary_a):
    today = dt.date(2026, 11, 26)
    rows = late_reports(subdistrict_admin, today=today)
    by_village = {(r.village.code, r.month): r for r in rows}
    assert ("village-a", 10) in by_village and by_village[("village-a", 10)].state == "草稿"
    assert ("village-b", 10) in by_village and by_village[("village-b", 10)].report is None
    fill(report_a, secretary_a)
    reports_service.report_submit(actor=secretary_a, report=report_a)
    rows = late_reports(subdistrict_admin, today=today)
    assert ("village-a", 10) not in {(r.village.code, r.month) for r in rows}


def test_todo_lists_what_each_person_has_to_do(report_a, secretary_a, instructor_a):
    today = dt.date(2026, 11, 26)
    labels = [i.label for i in todo_for(secretary_a, today).items]
    assert any("2026年10月进度报告" in label for label in labels)
    fill(report_a, secretary_a)
    reports_service.report_submit(actor=secretary_a, report=report_a)
    assert any("审核" in i.label for i in todo_for(instructor_a, today).items)
    assert not any("2026年10月" in i.label for i in todo_for(secretary_a, today).items)


def test_a_double_submit_keeps_one_copy_of_a_file(report_a, secretary_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from demonstration_belt.services.reports import evidence_add

    pdf = b"%PDF-1.4\n%minimal\n"
    first = evidence_add(
        actor=secretary_a, report=report_a, uploaded=SimpleUploadedFile("a.pdf", pdf)
    )
    again = evidence_add(
        actor=secretary_a, report=report_a, uploaded=SimpleUploadedFile("a (1).pdf", pdf)
    )
    assert again.pk == first.pk and report_a.evidence.count() == 1


def test_the_loser_of_an_approve_return_race_is_told_what_happened(
    client, report_a, secretary_a, instructor_a, subdistrict_admin
):
    from demonstration_belt.services.reports import report_approve, report_save_draft, report_submit

    report_save_draft(actor=secretary_a, report=report_a, narrative="本月工作", items={})
    report_a.items.update(progress="in_progress")
    report_submit(actor=secretary_a, report=report_a)
    report_approve(actor=subdistrict_admin, report=report_a)  # first, from another desk
    client.force_login(instructor_a)
    response = client.post(
        f"/belt/reports/{report_a.pk}/", {"action": "return", "comment": "请补充"}, follow=True
    )
    body = response.content.decode()
    assert "已由 街道管理员 于" in body and "通过" in body and "您的“退回”未执行" in body
    report_a.refresh_from_db()
    assert report_a.status == "approved"


def test_the_submitter_does_not_approve_their_own_report(
    client, report_a, subdistrict_admin, instructor_a
):
    """Staff may fill and submit a village's report, but then another person approves it."""
    fill(report_a, subdistrict_admin)
    reports_service.report_submit(actor=subdistrict_admin, report=report_a)
    with pytest.raises(PermissionDenied, match="另一人审核"):
        reports_service.report_approve(actor=subdistrict_admin, report=report_a)
    client.force_login(subdistrict_admin)
    page = client.get(report_a.get_absolute_url()).content.decode()
    assert 'value="approve"' not in page and 'value="return"' in page
    client.force_login(instructor_a)
    assert 'value="approve"' in client.get(report_a.get_absolute_url()).content.decode()
    reports_service.report_approve(actor=instructor_a, report=report_a)
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.APPROVED


def test_the_reports_list_offers_this_month_and_every_earlier_unapproved_one(
    client, report_a, secretary_a, secretary_b, subdistrict_admin, instructor_a
):
    from demonstration_belt.models import MonthlyReport
    from demonstration_belt.selectors import report_months

    # (The suite's "now" is late November 2026: October is report_a, a draft.)
    rows = report_months(secretary_a)
    labels = [(r.period.year, r.period.month, r.action) for r in rows]
    assert labels[0] == (2026, 11, "开始填报") and (2026, 10, "继续填写") in labels
    assert len(rows) == 12 and labels[-1][:2] == (2025, 12)
    client.force_login(secretary_a)
    page = client.get("/belt/reports/").content.decode()
    assert 'data-testid="report-months"' in page and "2026年11月" in page
    # Approved months drop out; other villages' months never appear; reviewers fill none.
    MonthlyReport.objects.filter(pk=report_a.pk).update(status="approved")
    assert (2026, 10) not in [(r.period.year, r.period.month) for r in report_months(secretary_a)]
    assert report_months(secretary_b) and all(
        r.village != report_a.village for r in report_months(secretary_b)
    )
    assert report_months(instructor_a) == [] and report_months(subdistrict_admin) == []


def test_a_report_is_started_by_a_post_never_by_a_get(client, plan_a, secretary_a, secretary_b):
    from demonstration_belt.models import MonthlyReport

    url = "/belt/reports/village-a/2026/11/"
    client.force_login(secretary_a)
    page = client.get(url)
    assert page.status_code == 200 and not MonthlyReport.objects.exists()
    started = client.post(url)
    report = MonthlyReport.objects.get()
    assert started.status_code == 302 and started["Location"] == report.get_absolute_url()
    assert (report.year, report.month, report.status) == (2026, 11, "draft")
    assert client.post(url)["Location"] == report.get_absolute_url()  # (twice: one report)
    assert MonthlyReport.objects.count() == 1
    client.force_login(secretary_b)
    assert client.post("/belt/reports/village-a/2026/9/").status_code == 404
    assert MonthlyReport.objects.count() == 1
