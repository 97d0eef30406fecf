"""Reading and checking the collective-economy spreadsheets, row by row, like a form.

Pure code: bytes in, typed rows and messages in Chinese out (no ORM). The files
are the ones village accountants already keep: XLSX from WPS/Excel, or CSV in
UTF-8 (with or without a BOM) or GBK. Every row is checked completely (years in
range, months whole numbers 1–12, money in yuan with at most two decimals, no
month in the future, a village in the importer's scope) and every problem is
reported with its row number and column; a file is written only if no row has
one (``collective_economy.services.imports.import_job_apply``). Validation runs at tens
of thousands of rows per second: a 50,000-row file is checked in about a second
(``bench/economy_import.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from jinhu.core import uploads
from jinhu.core.periods import YEAR_MAX, YEAR_MIN

XLSX_MAGIC = b"PK\x03\x04"
MAX_BYTES = 20 * 1024 * 1024
#: errors kept per file (the count of all of them is reported too)
MAX_ERRORS = 200

CHINESE_DIGITS = str.maketrans(
    "〇零一二三四五六七八九０１２３４５６７８９", "00123456789" + "0123456789"
)


class FileRefused(ValueError):
    """The file as a whole cannot be read (format, encoding, headers): say why."""


class RowError(ValueError):
    pass


# ---------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------
def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def whole_number(value: object, label: str, low: int, high: int) -> int:
    """A whole number ``low``–``high``: ``2025``, ``2025.0`` from Excel, ``二〇二五``, ``１２``;
    never ``1.5``."""
    text = _text(value).translate(CHINESE_DIGITS)
    if not text:
        raise RowError(f"{label}不能为空")
    if isinstance(value, float) and not value.is_integer():
        raise RowError(f"{label}须为整数，收到 {value}")
    if not (text.isascii() and text.isdigit()):
        raise RowError(f"{label}须为整数，收到“{_text(value)[:20]}”")
    number = int(text)
    if not low <= number <= high:
        raise RowError(f"{label}须在 {low}–{high} 之间，收到 {number}")
    return number


def year(value: object) -> int:
    return whole_number(value, "年度", YEAR_MIN, YEAR_MAX)


def month(value: object) -> int:
    return whole_number(value, "月份", 1, 12)


def money(value: object, label: str) -> Decimal:
    """Yuan with at most two decimals. XLSX numbers arrive as binary floats: taken through
    their shortest repr (exact for any amount with two decimals)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RowError(f"{label}不能为空")
    if isinstance(value, float):
        value = repr(value)
    text = (
        str(value)
        .strip()
        .translate(CHINESE_DIGITS)
        .replace(",", "")
        .replace("，", "")
        .replace("¥", "")
        .replace("￥", "")
        .replace("元", "")
    )
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise RowError(f"{label}不是有效的金额：“{_text(value)[:20]}”") from None
    if not amount.is_finite():
        raise RowError(f"{label}不是有效的金额：“{_text(value)[:20]}”")
    if amount != amount.quantize(Decimal("0.01")):
        raise RowError(f"{label}最多两位小数：{_text(value)}")
    if amount < 0:
        raise RowError(f"{label}不能为负数：{_text(value)}")
    if amount >= Decimal("1e12"):
        raise RowError(f"{label}超出范围：{_text(value)}")
    return amount.quantize(Decimal("0.01"))


def yes_no(value: object, label: str) -> bool:
    text = _text(value).lower()
    if text in {"是", "true", "1", "yes", "y", "已决算"}:
        return True
    if text in {"否", "false", "0", "no", "n", "", "未决算"}:
        return False
    raise RowError(f"{label}应填“是”或“否”，收到“{text[:10]}”")


# ---------------------------------------------------------------------------
# What each kind of file holds
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    header: str
    attribute: str
    parse: Callable[..., Any]


def _money(label: str) -> Callable[..., Any]:
    return lambda value: money(value, label)


KINDS: dict[str, list[Column]] = {
    "monthly": [
        Column("村编码", "village", _text),
        Column("年度", "year", year),
        Column("月份", "month", month),
        Column("经营性收入（元）", "operating_income", _money("经营性收入")),
        Column("其他收入（元）", "other_income", _money("其他收入")),
        Column("支出（元）", "expenses", _money("支出")),
    ],
    "annual": [
        Column("村编码", "village", _text),
        Column("年度", "year", year),
        Column("总收入（元）", "total_income", _money("总收入")),
        Column("经营性收入（元）", "operating_income", _money("经营性收入")),
        Column("其他收入（元）", "other_income", _money("其他收入")),
        Column("总支出（元）", "expenses", _money("总支出")),
        Column("农民人均纯收入（元）", "per_capita_net_income", _money("农民人均纯收入")),
        Column("已决算", "is_final", lambda v: yes_no(v, "已决算")),
    ],
}
KEYS = {"monthly": ("village", "year", "month"), "annual": ("village", "year")}


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------
def read_table(data: bytes, filename: str) -> tuple[list[Any], Iterator[tuple[Any, ...]], str]:
    """The header row, an iterator over the data rows, and the format found.

    Refuses, in words, what cannot be read: too big, empty, an ``.xlsx`` that is not a
    workbook, an old ``.xls``, a CSV in an unknown encoding.
    """
    name = filename.lower()
    if len(data) > MAX_BYTES:
        raise FileRefused(f"文件过大（上限 {MAX_BYTES // 1024 // 1024} MB）。")
    if not data.strip():
        raise FileRefused("文件是空的。")
    if name.endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            "这是旧版 Excel（.xls）文件：请在 WPS/Excel 中另存为 .xlsx 或 CSV 后再上传。"
        )
    if data.startswith(XLSX_MAGIC) or name.endswith(".xlsx"):
        return (*_read_xlsx(data), "xlsx")
    text, encoding = _decode(data)
    rows = csv.reader(io.StringIO(text))
    header = next(rows, [])
    return header, (tuple(r) for r in rows), f"csv ({encoding})"


def _read_xlsx(data: bytes) -> tuple[list[Any], Iterator[tuple[Any, ...]]]:
    from openpyxl import load_workbook

    try:
        uploads.inspect_workbook(data)
    except uploads.Refused as refused:
        raise FileRefused(refused.message) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise FileRefused(
            "文件不是有效的 Excel 工作簿（.xlsx）：请确认文件没有损坏，或另存为 CSV。"
        ) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows, ()) or ())
    return header, rows


def _decode(data: bytes) -> tuple[str, str]:
    for encoding, label in (("utf-8-sig", "utf-8"), ("gb18030", "gb18030")):
        try:
            return data.decode(encoding), label
        except UnicodeDecodeError:
            continue
    raise FileRefused("无法识别文件编码：请保存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx。")


def column_positions(kind: str, header: list[Any]) -> dict[str, int]:
    """Where each expected column is; refuses a header that lacks any, naming them all."""
    names = [_text(h) for h in header]
    positions: dict[str, int] = {}
    missing = []
    for column in KINDS[kind]:
        if column.header in names:
            positions[column.attribute] = names.index(column.header)
        else:
            missing.append(column.header)
    if missing:
        expected = "、".join(c.header for c in KINDS[kind])
        raise FileRefused(
            f"表头缺少：{'、'.join(missing)}。第一行应为这些列（顺序不限，可以多出其他列）：{expected}。"
        )
    return positions


@dataclass
class Checked:
    records: list[dict[str, Any]]
    errors: list[tuple[int, str]]
    error_count: int
    rows: int


def check(
    kind: str,
    header: list[Any],
    rows: Iterable[tuple[Any, ...]],
    *,
    villages: dict[str, int],
    today: dt.date,
    progress: Callable[[int], None] | None = None,
) -> Checked:
    """Every row checked; ``villages`` maps the codes the importer may write to ids.

    Row numbers are the spreadsheet's (the header is row 1).
    """
    positions = column_positions(kind, header)
    columns = KINDS[kind]
    keys = KEYS[kind]
    records: list[dict[str, Any]] = []
    errors: list[tuple[int, str]] = []
    count = 0
    seen: dict[tuple[Any, ...], int] = {}
    number = 1
    for number, row in enumerate(rows, start=2):
        if not any(_text(c) for c in row):
            continue  # blank line
        record: dict[str, Any] = {}
        row_errors = []
        for column in columns:
            index = positions[column.attribute]
            value = row[index] if index < len(row) else None
            try:
                record[column.attribute] = column.parse(value)
            except RowError as exc:
                row_errors.append(f"{column.header}：{exc}")
        code = record.get("village")
        if code is not None:
            if not code:
                row_errors.append("村编码：不能为空")
            elif code not in villages:
                row_errors.append(f"村编码：{code[:32]} 不存在，或不在您的管理范围内")
            else:
                record["village"] = villages[code]
        if not row_errors:
            row_errors.extend(_rules(kind, record, today))
        if not row_errors:
            key = tuple(record[k] for k in keys)
            if key in seen:
                row_errors.append(f"与第 {seen[key]} 行重复（同一村、同一期间只能有一行）")
            else:
                seen[key] = number
        if row_errors:
            count += 1
            if len(errors) < MAX_ERRORS:
                errors.append((number, "；".join(row_errors)))
        else:
            records.append(record)
        if progress is not None and number % 5000 == 0:
            progress(number - 1)
    return Checked(records, errors, count, max(0, number - 1))


def _rules(kind: str, record: dict[str, Any], today: dt.date) -> list[str]:
    """What a row must satisfy beyond its cells (the same as the forms' rules)."""
    problems = []
    if kind == "monthly" and (record["year"], record["month"]) > (today.year, today.month):
        problems.append(f"不能导入未来月份的数据（{record['year']}年{record['month']}月）")
    if kind == "annual":
        if record["year"] > today.year:
            problems.append(f"不能导入未来年度的数据（{record['year']}年）")
        if record["total_income"] != record["operating_income"] + record["other_income"]:
            problems.append("总收入应等于经营性收入与其他收入之和")
    return problems
