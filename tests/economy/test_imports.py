"""Imports validate like forms, refuse what they cannot read in words, and are safe to
run twice at once."""

import io
import threading
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import TestCase

from collective_economy.core import importing
from collective_economy.models import ImportJob, MonthlyAccount
from collective_economy.services import imports as import_services
from tests.economy.test_economy_views import HEADER, confirm, upload


@pytest.mark.parametrize(
    "cells, message",
    [
        ("2026,1.5", "月份须为整数，收到“1.5”"),
        ("0,1", "年度须在 2000–2100 之间，收到 0"),
        ("99,1", "年度须在 2000–2100 之间，收到 99"),
        ("2026,0", "月份须在 1–12 之间，收到 0"),
        ("abc,1", "年度须为整数"),
        ("2026,", "月份不能为空"),
        ("2099,1", "不能导入未来月份的数据"),
    ],
)
def test_years_and_months_are_checked_like_a_form(
    client, subdistrict_admin, village_a, cells, message
):
    client.force_login(subdistrict_admin)
    body = upload(client, HEADER + f"{village_a.code},{cells},1.00,1.00,1.00\n").content.decode()
    assert 'data-testid="import-errors"' in body and message in body
    assert not MonthlyAccount.objects.exists()


def test_chinese_and_full_width_numerals_are_read(client, subdistrict_admin, village_a):
    client.force_login(subdistrict_admin)
    text = HEADER + f'{village_a.code},二〇二五,１２,"1,234.50",０,¥10\n'
    assert 'data-testid="import-ok"' in upload(client, text).content.decode()
    confirm(client)
    account = MonthlyAccount.objects.get()
    assert (account.year, account.month, account.operating_income, account.expenses) == (
        2025,
        12,
        D("1234.50"),
        D("10.00"),
    )


def test_wrong_headers_name_the_expected_ones_in_chinese(client, subdistrict_admin, village_a):
    client.force_login(subdistrict_admin)
    body = upload(client, "code,year,month,income\nvillage-a,2026,1,5\n").content.decode()
    assert "表头缺少：村编码、年度、月份、经营性收入（元）、其他收入（元）、支出（元）" in body
    assert "The following fields" not in body


def test_a_file_that_is_not_what_its_name_says(client, subdistrict_admin, village_a):
    client.force_login(subdistrict_admin)
    body = upload(client, b"this is plain text", name="figures.xlsx").content.decode()
    assert "不是有效的 Excel 工作簿" in body
    body = upload(client, b"\xd0\xcf\x11\xe0" + b"\x00" * 64, name="old.xls").content.decode()
    assert "旧版 Excel（.xls）" in body
    body = upload(client, b"\xff\xfe\x00\x00garbage\xff", name="x.csv").content.decode()
    assert "UTF-16 编码" in body and "另存为" in body
    assert not MonthlyAccount.objects.exists()


def test_a_duplicate_row_in_the_file_is_named(client, subdistrict_admin, village_a):
    client.force_login(subdistrict_admin)
    row = f"{village_a.code},2026,1,1.00,1.00,1.00\n"
    body = upload(client, HEADER + row + row).content.decode()
    assert "第 3 行" in body and "与第 2 行重复" in body


def test_the_same_file_imported_twice_reports_unchanged(client, subdistrict_admin, village_a):
    client.force_login(subdistrict_admin)
    text = (
        HEADER + f"{village_a.code},2026,1,9.00,1.00,1.00\n{village_a.code},2026,2,9.00,1.00,1.00\n"
    )
    upload(client, text)
    first = ImportJob.objects.get()
    upload(client, text)  # checked before the first is confirmed: two new rows each
    second = ImportJob.objects.exclude(pk=first.pk).get()
    with TestCase.captureOnCommitCallbacks(execute=True):
        import_services.import_job_confirm(actor=subdistrict_admin, job=first)
    with TestCase.captureOnCommitCallbacks(execute=True):
        import_services.import_job_confirm(actor=subdistrict_admin, job=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.new, first.unchanged) == ("done", 2, 0)
    assert (second.status, second.new, second.unchanged) == ("done", 0, 2)
    assert MonthlyAccount.objects.count() == 2
    # A confirmed job cannot be confirmed again (a double submit): told in words.
    body = client.post(f"/economy/import/{first.pk}/", follow=True).content.decode()
    assert "不能再次导入" in body


@pytest.mark.postgres
def test_two_imports_of_the_same_file_at_the_same_moment(transactional_db, subdistrict_admin):
    from tests.factories import VillageFactory

    villages = [VillageFactory(code=f"bulk-{n}") for n in range(40)]
    text = HEADER + "".join(
        f"{v.code},2026,{m},{n}.00,1.00,1.00\n"
        for n, v in enumerate(villages)
        for m in range(1, 11)
    )
    jobs = [
        import_services.import_job_create(
            actor=subdistrict_admin, kind="monthly", file_name="x.csv", data=text.encode()
        )
        for _ in range(2)
    ]
    for job in jobs:
        job.refresh_from_db()
        assert job.status == "checked" and job.new == 400
        ImportJob.objects.filter(pk=job.pk).update(status="importing")
    start = threading.Barrier(2)

    def apply(job_id):
        start.wait()
        try:
            import_services.import_job_apply(job_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(job.pk,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    results = sorted(ImportJob.objects.values_list("status", "new", "unchanged"))
    assert results == [("done", 0, 400), ("done", 400, 0)]
    assert MonthlyAccount.objects.count() == 400


def test_check_handles_many_rows_quickly_and_counts_progress():
    codes = {f"v{n}": n + 1 for n in range(500)}
    rows = [(f"v{n % 500}", 2025, n // 500 + 1, "1.00", "2.00", "3.00") for n in range(6000)]
    seen = []
    checked = importing.check(
        "monthly",
        [c.header for c in importing.KINDS["monthly"]],
        iter(rows),
        villages=codes,
        today=__import__("datetime").date(2026, 11, 26),
        progress=seen.append,
    )
    assert checked.error_count == 0 and len(checked.records) == 6000
    assert seen == [4999]


def test_xlsx_numbers_arrive_as_floats_and_stay_exact(client, subdistrict_admin, village_a):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([c.header for c in importing.KINDS["monthly"]])
    sheet.append([village_a.code, 2026.0, 3.0, 1234.56, 0.1, 0.0])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(subdistrict_admin)
    assert (
        'data-testid="import-ok"'
        in upload(client, buffer.getvalue(), name="a.xlsx").content.decode()
    )
    confirm(client)
    assert MonthlyAccount.objects.get().operating_income == D("1234.56")
