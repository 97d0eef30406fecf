"""Reading spreadsheets people already have, and importing them all-or-nothing.

Chinese offices send XLSX from WPS/Excel and CSV in UTF-8 (with or without a
BOM) or GBK. CSV is decoded as UTF-8 (BOM stripped) and, failing that, as
GB18030, a superset of GBK. Imports run as a dry run first: every row is
validated inside one transaction that is rolled back, and the errors are
reported with their row numbers; only a clean file is then imported, again in
one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import tablib
from django.utils.translation import gettext as _

from jinhu.core import uploads

logger = logging.getLogger(__name__)

XLSX_MAGIC = b"PK\x03\x04"
MAX_BYTES = 5 * 1024 * 1024


class TabularError(ValueError):
    pass


def decode_csv(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise TabularError(_("无法识别文件编码（支持 UTF-8 和 GBK）。")) from None


def read_dataset(data: bytes, filename: str = "") -> tuple[tablib.Dataset, str]:
    """A dataset from XLSX or CSV bytes; returns it and the detected format/encoding."""
    if len(data) > MAX_BYTES:
        raise TabularError(_("文件过大（上限 5 MB）。"))
    if not data.strip():
        raise TabularError(_("文件是空的。"))
    if filename.lower().endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TabularError(_("这是旧版 Excel（.xls）文件：请另存为 .xlsx 或 CSV 后再上传。"))
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        try:
            uploads.inspect_workbook(data, filename)
        except uploads.Refused as refused:
            raise TabularError(refused.message) from None
        try:
            return tablib.Dataset().load(data, format="xlsx"), "xlsx"
        except Exception:
            raise TabularError(
                _("文件不是有效的 Excel 工作簿（.xlsx）：请确认文件没有损坏，或另存为 CSV。")
            ) from None
    text, encoding = decode_csv(data)
    try:
        return tablib.Dataset().load(text, format="csv"), f"csv ({encoding})"
    except Exception:
        raise TabularError(_("无法读取 CSV 文件：请确认是逗号分隔的表格。")) from None


def require_headers(dataset: tablib.Dataset, resource) -> None:
    """Refuse, naming them, a file that lacks any column the resource imports."""
    expected = [
        f.column_name for f in resource.get_import_fields() if not getattr(f, "readonly", False)
    ]
    present = {str(h).strip() for h in (dataset.headers or [])}
    missing = [name for name in expected if name not in present]
    if missing:
        raise TabularError(
            _("表头缺少：%(m)s。第一行应为这些列（顺序不限，可以多出其他列）：%(e)s。")
            % {"m": "、".join(missing), "e": "、".join(expected)}
        )


@dataclass
class ImportReport:
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def run_import(resource, dataset: tablib.Dataset, *, dry_run: bool) -> ImportReport:
    """Import all rows in one transaction; with errors (or dry_run) nothing is kept."""
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        collect_failed_rows=True,
    )
    report = ImportReport(rows=len(dataset))
    for row_number, errors in result.row_errors():
        for error in errors:
            report.errors.append((row_number, _row_message(error.error)))
    for invalid in result.invalid_rows:
        for field_name, messages in invalid.error_dict.items():
            label = _column_label(resource, field_name)
            for message in messages:
                report.errors.append((invalid.number, f"{label}：{message}"))
    for base_error in result.base_errors:
        report.errors.append((0, str(base_error.error)))
    report.errors.sort()
    totals = result.totals
    report.new, report.updated = totals.get("new", 0), totals.get("update", 0)
    report.unchanged = totals.get("skip", 0)
    return report


def _row_message(error: Exception) -> str:
    """A row's error in words a user can act on; a database's own text is never shown
    (it is in English and names tables), it is logged instead."""
    from django.db import DatabaseError

    if isinstance(error, DatabaseError):
        logger.warning("import row refused by the database: %s", error)
        return _("该行有必填项为空或与已有数据冲突，请检查后重试。")
    return str(error)


def _column_label(resource, field_name: str) -> str:
    target = resource.fields.get(field_name)
    return target.column_name if target is not None else field_name


def two_step_import(request, form, *, session_key: str, resource_for, options_of=None):
    """Upload → dry run with every row checked → confirm → import, for any resource.

    ``resource_for(options)`` builds the import-export resource (scoped to the
    user); ``options_of(cleaned_data)`` picks what the confirmation must remember
    besides the file (e.g. which kind of figures). Returns the template context
    and, once a confirmed import succeeded, its report.
    """
    import base64

    context = {"form": form}
    if request.method == "POST" and request.POST.get("confirm"):
        pending = request.session.pop(session_key, None)
        if pending is None:
            context["expired"] = True
            return context, None
        dataset, _fmt = read_dataset(base64.b64decode(pending["data"]), pending["name"])
        report = run_import(resource_for(pending["options"]), dataset, dry_run=False)
        if report.ok:
            return context, report
        context["report"] = report
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            dataset, fmt = read_dataset(data, upload.name)
        except TabularError as exc:
            form.add_error("file", str(exc))
            return context, None
        options = options_of(form.cleaned_data) if options_of else {}
        resource = resource_for(options)
        try:
            require_headers(dataset, resource)
        except TabularError as exc:
            form.add_error("file", str(exc))
            return context, None
        report = run_import(resource, dataset, dry_run=True)
        context.update(report=report, fmt=fmt, **options)
        if report.ok:
            request.session[session_key] = {
                "options": options,
                "name": upload.name,
                "data": base64.b64encode(data).decode(),
            }
    return context, None


# ---------------------------------------------------------------------------
# Exports: one path for every XLSX and CSV the portal writes
# ---------------------------------------------------------------------------
#: a text cell starting with one of these is a formula to Excel/WPS (and DDE to old ones)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Column:
    """One exported column: its Chinese header and how to get the value from a row object
    (an attribute path with ``__`` or ``.``, or a callable). Values keep their type:
    numbers, money, dates and times become typed cells; booleans 是/否; text is text."""

    header: str
    value: object  # str path or callable

    def of(self, obj):
        if callable(self.value):
            return self.value(obj)
        for part in str(self.value).replace(".", "__").split("__"):
            obj = getattr(obj, part, None)
            if obj is None:
                return None
            if callable(obj):
                obj = obj()
        return obj


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list]


def sheet_of(title: str, columns: list[Column], objects) -> Sheet:
    return Sheet(title, [c.header for c in columns], [[c.of(o) for c in columns] for o in objects])


def _plain(value):
    """A value as a cell holds it: aware times in Asia/Shanghai, booleans in words."""
    import datetime as dt
    from decimal import Decimal

    from jinhu.core import clock

    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return clock.local(value).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, int | float | Decimal | dt.date) or value is None:
        return value
    return str(value)


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    """An XLSX workbook; text that would start a formula is stored as text and marked so
    (quote prefix), so it is never evaluated, even once edited."""
    import datetime as dt
    import io
    from decimal import Decimal

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(title=sheet.title[:31])
        ws.append(sheet.headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for values in sheet.rows:
            ws.append([None] * len(values))
            row = ws.max_row
            for index, raw in enumerate(values, start=1):
                value = _plain(raw)
                if value is None:
                    continue
                cell = ws.cell(row=row, column=index)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # (openpyxl takes "=…" for a formula otherwise)
                    if value.startswith(FORMULA_STARTS):
                        cell.quotePrefix = True
                elif isinstance(value, Decimal):
                    cell.number_format = MONEY_FORMAT
                elif isinstance(value, dt.datetime):
                    cell.number_format = DATETIME_FORMAT
                elif isinstance(value, dt.date):
                    cell.number_format = DATE_FORMAT
        for index, header in enumerate(sheet.headers, start=1):
            letter = ws.cell(row=1, column=index).column_letter
            ws.column_dimensions[letter].width = max(10, min(40, len(str(header)) * 2 + 4))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(sheet: Sheet) -> bytes:
    """UTF-8 with a BOM (so WPS/Excel open it right); text that would start a formula is
    prefixed with an apostrophe, the usual neutralisation for CSV."""
    import csv
    import datetime as dt
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(sheet.headers)
    for values in sheet.rows:
        cells = []
        for raw in values:
            value = _plain(raw)
            if value is None:
                cells.append("")
            elif isinstance(value, dt.datetime):
                cells.append(value.strftime("%Y-%m-%d %H:%M"))
            elif isinstance(value, str) and value.startswith(FORMULA_STARTS):
                cells.append("'" + value)
            else:
                cells.append(str(value))
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8-sig")


def download(sheets: list[Sheet] | Sheet, filename: str, fmt: str = "xlsx"):
    """The response for an export (``fmt`` xlsx or csv), with a Chinese file name."""
    from urllib.parse import quote

    from django.http import HttpResponse

    if isinstance(sheets, Sheet):
        sheets = [sheets]
    if fmt == "csv":
        body, content_type, ext = csv_bytes(sheets[0]), "text/csv; charset=utf-8", "csv"
    else:
        body = xlsx_bytes(sheets)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ext = "xlsx"
    response = HttpResponse(body, content_type=content_type)
    name = f"{filename}.{ext}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"export.{ext}\"; filename*=UTF-8''{quote(name)}"
    )
    return response


def export_format(request) -> str | None:
    """``?export=xlsx`` or ``?export=csv`` (anything else: no export)."""
    value = request.GET.get("export")
    return value if value in ("xlsx", "csv") else None
