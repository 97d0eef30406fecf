import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from demonstration_belt.models import Finding, Inspection, Suggestion, Target
from demonstration_belt.services import records as records_service

HEADER = "村编码,年度,特色主题,目标编号,维度,目标,衡量方式,目标值,单位,权重,完成期限,佐证材料\n"


def test_finding_loop_open_rectify_recheck_close(village_a, secretary_a, instructor_a):
    inspection = Inspection.objects.create(
        kind="comparison", title="互学互比", held_on=dt.date(2026, 10, 1)
    )
    finding = Finding.objects.create(
        inspection=inspection,
        village=village_a,
        description="台账不全",
        owner="甲村书记",
        deadline=dt.date(2026, 11, 1),
    )
    with pytest.raises(ValidationError):
        records_service.finding_advance(actor=secretary_a, finding=finding, to="recheck")
    records_service.finding_advance(
        actor=secretary_a, finding=finding, to="recheck", rectification="已补齐台账"
    )
    with pytest.raises(PermissionDenied):
        records_service.finding_advance(actor=secretary_a, finding=finding, to="closed")
    records_service.finding_advance(actor=instructor_a, finding=finding, to="closed")
    finding.refresh_from_db()
    assert finding.status == "closed" and finding.closed_on and finding.rechecked_on


def test_suggestion_needs_reply_and_decline_reason(village_a, secretary_a):
    s = Suggestion.objects.create(
        village=village_a,
        source="salon",
        content="建议增设路灯",
        received_on=dt.date(2026, 11, 1),
        due_on=dt.date(2026, 11, 20),
    )
    with pytest.raises(ValidationError):
        records_service.suggestion_update(actor=secretary_a, suggestion=s, status="done")
    with pytest.raises(ValidationError):
        records_service.suggestion_update(
            actor=secretary_a, suggestion=s, status="declined", reply="不采纳"
        )
    records_service.suggestion_update(
        actor=secretary_a, suggestion=s, status="done", reply="已安装路灯 12 盏"
    )
    s.refresh_from_db()
    assert s.closed_on is not None and not Suggestion.objects.overdue().exists()


def test_targets_import_with_one_bad_row_saves_nothing_and_names_it(
    client, subdistrict_admin, village_a
):
    client.force_login(subdistrict_admin)
    code = village_a.code
    text = (
        HEADER
        + f"{code},2026,红色物业,O1,组织过硬,主题党日,数值对照目标,12,次,2,2026-12-31,记录\n"
        + f"{code},2026,红色物业,W1,不存在的维度,特色点位,完成/未完成,,,1,2026-12-31,照片\n"
    )
    response = client.post(
        "/belt/targets/import/", {"file": SimpleUploadedFile("t.csv", text.encode("gbk"))}
    )
    body = response.content.decode()
    assert 'data-testid="import-errors"' in body and "第 2 行" in body and "不存在的维度" in body
    assert not Target.objects.exists()
    good = text.replace("不存在的维度", "工作过硬")
    response = client.post(
        "/belt/targets/import/", {"file": SimpleUploadedFile("t.csv", good.encode("utf-8-sig"))}
    )
    assert 'data-testid="import-ok"' in response.content.decode()
    assert not Target.objects.exists()
    client.post("/belt/targets/import/", {"confirm": "1"})
    assert Target.objects.count() == 2
    assert Target.objects.get(code="O1").plan.feature_theme == "红色物业"


def test_exports_have_chinese_headers_and_are_scoped(client, secretary_b, village_a):
    import io

    import openpyxl

    Suggestion.objects.create(
        village=village_a,
        source="salon",
        content="甲村的建议",
        received_on=dt.date(2026, 11, 1),
        due_on=dt.date(2026, 11, 20),
    )
    client.force_login(secretary_b)
    response = client.get("/belt/suggestions/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["村（社区）", "受理日期", "来源"]
    assert sheet.max_row == 1


def test_belt_pages_render_for_the_demo(client, db):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    client.force_login(get_user_model().objects.get(username="admin"))
    for url in (
        "/",
        "/belt/",
        "/belt/reports/",
        "/belt/meetings/",
        "/belt/findings/",
        "/belt/suggestions/",
        "/belt/party-days/",
        "/belt/center-checks/",
        "/belt/economy/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    body = client.get("/belt/suggestions/").content.decode()
    assert "道闸" in body and "停车位" in body
    comparison = client.get("/belt/economy/").context["comparisons"]
    for row in comparison:
        assert 600 <= row.comparison.lead <= 800


def test_targets_export_round_trips_and_is_scoped(
    client, subdistrict_admin, secretary_b, village_a
):
    import io

    import openpyxl

    from demonstration_belt.models import CreationPlan

    created = CreationPlan.objects.create(village=village_a, year=2026, feature_theme="特色")
    Target.objects.create(
        plan=created,
        code="O1",
        dimension="organization",
        title="主题党日",
        measure="done",
        due_on=dt.date(2026, 12, 31),
    )
    client.force_login(subdistrict_admin)
    exported = client.get("/belt/targets/export.xlsx").content
    rows = list(openpyxl.load_workbook(io.BytesIO(exported)).active.values)
    assert rows[0][:6] == ("村编码", "年度", "特色主题", "目标编号", "维度", "目标")
    assert rows[1][:6] == (village_a.code, 2026, "特色", "O1", "组织过硬", "主题党日")
    # The export imports again as it is (typed year, date and numbers included).
    Target.objects.all().delete()
    response = client.post(
        "/belt/targets/import/", {"file": SimpleUploadedFile("目标.xlsx", exported)}
    )
    assert 'data-testid="import-ok"' in response.content.decode()
    client.post("/belt/targets/import/", {"confirm": "1"})
    again = Target.objects.get()
    assert (again.plan, again.code, again.due_on) == (created, "O1", dt.date(2026, 12, 31))
    client.force_login(secretary_b)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/belt/targets/export.xlsx").content))
    assert sheet.active.max_row == 1


def test_targets_import_refuses_wrong_headers_and_bad_files_in_chinese(client, subdistrict_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(subdistrict_admin)
    body = client.post(
        "/belt/targets/import/", {"file": SimpleUploadedFile("t.csv", b"a,b,c\n1,2,3\n")}
    ).content.decode()
    assert "表头缺少" in body and "村编码" in body
    body = client.post(
        "/belt/targets/import/", {"file": SimpleUploadedFile("t.xlsx", b"not a workbook")}
    ).content.decode()
    assert "不是有效的 Excel 工作簿" in body and "zip" not in body.lower()
