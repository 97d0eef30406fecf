import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from collective_economy.models import (
    AnnualAccount,
    Contract,
    ContractPayment,
    MonthlyAccount,
)
from collective_economy.selectors import village_years
from collective_economy.services.accounts import monthly_account_save
from tests.factories import VillageFactory

HEADER = "村编码,年度,月份,经营性收入（元）,其他收入（元）,支出（元）\n"


def upload(client, text, *, encoding="utf-8", kind="monthly", name="figures.csv"):
    """Upload through the page; the check runs (eagerly here) and the job page is shown."""
    data = text.encode(encoding) if isinstance(text, str) else text
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/economy/import/",
            {"kind": kind, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
        )
    return client.get(response.url) if response.status_code == 302 else response


def confirm(client):
    from collective_economy.models import ImportJob

    job = ImportJob.objects.order_by("-pk").first()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/economy/import/{job.pk}/")
    return client.get(response.url)


def test_secretary_enters_a_month_in_decimal(secretary_a, village_a):
    account = monthly_account_save(
        actor=secretary_a,
        village=village_a,
        year=2026,
        month=3,
        operating_income=D("12345.67"),
        other_income=D("0.10"),
        expenses=D("1.00"),
    )
    account.refresh_from_db()
    assert account.operating_income == D("12345.67") and type(account.operating_income) is D
    with pytest.raises(TypeError):
        monthly_account_save(
            actor=secretary_a,
            village=village_a,
            year=2026,
            month=4,
            operating_income=12345.67,
            other_income=D("0"),
            expenses=D("0"),
        )


def test_secretary_b_cannot_enter_or_see_village_a(client, secretary_b, village_a, secretary_a):
    with pytest.raises(PermissionDenied):
        monthly_account_save(
            actor=secretary_b,
            village=village_a,
            year=2026,
            month=3,
            operating_income=D("1"),
            other_income=D("1"),
            expenses=D("1"),
        )
    AnnualAccount.objects.create(
        village=village_a,
        year=2025,
        total_income=D("150000"),
        operating_income=D("80000"),
        other_income=D("70000"),
    )
    client.force_login(secretary_b)
    assert client.get(f"/economy/{village_a.code}/").status_code == 404
    assert village_a.name not in client.get("/economy/").content.decode()
    export = client.get("/economy/export/annual.xlsx")
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 1  # the header only: nothing of village A


def test_month_form_through_the_page(client, secretary_a, village_a):
    client.force_login(secretary_a)
    response = client.post(
        f"/economy/{village_a.code}/",
        {
            "year": 2026,
            "month": 2,
            "operating_income": "8000.50",
            "other_income": "100",
            "expenses": "50",
            "source_lease": "6000.50",
            "source_resource": "2000",
        },
    )
    assert response.status_code == 302
    account = MonthlyAccount.objects.get(village=village_a, year=2026, month=2)
    assert account.lines.count() == 2
    bad = client.post(
        f"/economy/{village_a.code}/",
        {
            "year": 2026,
            "month": 2,
            "operating_income": "8000.50",
            "other_income": "abc",
            "expenses": "50",
            "source_lease": "1",
        },
    )
    body = bad.content.decode()
    assert "其他收入（元）：" in body


def test_csv_import_utf8_bom_and_confirm(client, secretary_a, village_a):
    client.force_login(secretary_a)
    text = HEADER + f"{village_a.code},2026,1,9000.00,5000.00,3000.00\n"
    response = upload(client, text, encoding="utf-8-sig")
    assert 'data-testid="import-ok"' in response.content.decode()
    assert not MonthlyAccount.objects.exists()  # nothing saved before confirmation
    confirm(client)
    assert MonthlyAccount.objects.get().operating_income == D("9000.00")


def test_gbk_csv_import(client, subdistrict_admin, village_a):
    client.force_login(subdistrict_admin)
    text = HEADER + f"{village_a.code},2026,1,9000.00,5000.00,3000.00\n"
    response = upload(client, text, encoding="gbk")
    assert "csv (gb18030)" in response.content.decode()
    assert 'data-testid="import-ok"' in response.content.decode()
    confirm(client)
    assert MonthlyAccount.objects.count() == 1


def test_import_with_a_bad_row_saves_nothing_and_names_the_row(
    client, subdistrict_admin, village_a, village_b
):
    client.force_login(subdistrict_admin)
    text = (
        HEADER + f"{village_a.code},2026,1,9000.00,5000.00,3000.00\n"
        f"{village_b.code},2026,13,9000.00,5000.00,3000.00\n"
        f"nowhere,2026,1,1.00,1.00,1.00\n"
        f"{village_a.code},2026,2,12.345,1,1\n"
    )
    response = upload(client, text)
    body = response.content.decode()
    assert 'data-testid="import-errors"' in body
    # Row numbers as the spreadsheet shows them (the header is row 1).
    assert "第 3 行：月份：月份须在 1–12 之间，收到 13" in body
    assert "第 4 行" in body and "nowhere" in body
    assert "第 5 行" in body and "两位小数" in body
    assert "第 2 行" not in body
    assert not MonthlyAccount.objects.exists()
    assert "不能再次导入" in confirm(client).content.decode()  # nothing to confirm
    assert not MonthlyAccount.objects.exists()


def test_secretary_cannot_import_for_another_village(client, secretary_a, village_b):
    client.force_login(secretary_a)
    response = upload(client, HEADER + f"{village_b.code},2026,1,1.00,1.00,1.00\n")
    assert "不在您的管理范围内" in response.content.decode()


def test_xlsx_round_trip_with_chinese_headers(client, subdistrict_admin, village_a):
    AnnualAccount.objects.create(
        village=village_a,
        year=2025,
        total_income=D("150000.10"),
        operating_income=D("80000.05"),
        other_income=D("70000.05"),
        per_capita_net_income=D("19000.00"),
        is_final=True,
    )
    client.force_login(subdistrict_admin)
    export = client.get("/economy/export/annual.xlsx")
    assert "filename*=UTF-8''" in export["Content-Disposition"]
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["村编码", "村（社区）", "年度"]
    AnnualAccount.objects.all().delete()
    upload(client, export.content, kind="annual", name="年度.xlsx")
    confirm(client)
    account = AnnualAccount.objects.get()
    assert account.total_income == D("150000.10") and account.is_final


def test_contract_expiry_and_overdue_alerts(client, subdistrict_admin, village_a):
    today = timezone.localdate()
    soon = Contract.objects.create(
        village=village_a,
        title="店面租赁",
        kind="lease",
        counterparty="超市",
        amount=D("1000"),
        starts_on=today - dt.timedelta(days=300),
        ends_on=today + dt.timedelta(days=30),
    )
    Contract.objects.create(
        village=village_a,
        title="长期发包",
        kind="lease",
        counterparty="农户",
        amount=D("1000"),
        starts_on=today - dt.timedelta(days=300),
        ends_on=today + dt.timedelta(days=400),
    )
    ContractPayment.objects.create(
        contract=soon, due_on=today - dt.timedelta(days=3), amount=D("500")
    )
    ContractPayment.objects.create(
        contract=soon, due_on=today + dt.timedelta(days=10), amount=D("500")
    )
    client.force_login(subdistrict_admin)
    body = client.get("/economy/alerts/").content.decode()
    expiring = body.split('data-testid="expiring"')[1].split("</ul>")[0]
    assert "店面租赁" in expiring and "长期发包" not in expiring
    assert "店面租赁" in body.split('data-testid="overdue"')[1].split("</ul>")[0]
    assert "店面租赁" in body.split('data-testid="upcoming"')[1].split("</ul>")[0]


def test_run_rate_warning_on_the_overview(client, subdistrict_admin, village_a):
    for month in range(1, 8):
        MonthlyAccount.objects.create(
            village=village_a,
            year=2026,
            month=month,
            operating_income=D("3000"),
            other_income=D("3000"),
        )
    (row,) = village_years([village_a], 2026)
    assert row.source == "monthly" and row.projection.warn
    client.force_login(subdistrict_admin)
    body = client.get("/economy/?year=2026").content.decode()
    assert 'data-testid="warnings"' in body and village_a.name in body


def test_demo_clears_every_village_in_the_latest_year(db):
    call_command("load_demo", verbosity=0)
    from django.utils import timezone

    from villages.models import Village

    year = timezone.localdate().year
    rows = village_years(Village.objects.all(), year)
    assert rows and all(not r.status.weak for r in rows)
    earlier = village_years(Village.objects.all(), year - 2)
    assert {r.village.code for r in earlier if r.status.weak} == {"shanshui", "xintang"}


def test_overview_query_count_does_not_grow(
    client, subdistrict_admin, django_assert_max_num_queries
):
    client.force_login(subdistrict_admin)
    for _n in range(3):
        AnnualAccount.objects.create(
            village=VillageFactory(),
            year=2025,
            total_income=D("2"),
            operating_income=D("1"),
            other_income=D("1"),
        )
    with django_assert_max_num_queries(18):
        client.get("/economy/?year=2025")
    for _n in range(15):
        AnnualAccount.objects.create(
            village=VillageFactory(),
            year=2025,
            total_income=D("2"),
            operating_income=D("1"),
            other_income=D("1"),
        )
    with django_assert_max_num_queries(18):
        client.get("/economy/?year=2025")
