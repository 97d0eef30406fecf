"""One check for every uploaded file: its real type from its bytes, its size, and for
images and workbooks what it would take to open it, judged before anything is decoded.

- Images: the width and height are read from the header (Pillow opens lazily) and
  refused above ``max_pixels`` (or a side above ``MAX_SIDE``) before a single pixel is
  decoded; Pillow's own decompression-bomb guard is turned into the same refusal, so a
  12,500 × 12,500 PNG of 150 KB costs a header read, not a gigabyte. Only JPEG, PNG and
  WebP decoders are ever used. Photos are then re-encoded at phone size, which also
  drops EXIF (GPS positions), with JPEG decoded at a reduced scale (``draft``).
- XLSX (a zip): the members' declared sizes are summed before openpyxl inflates
  anything (Python's zip reader never inflates past a member's declared size).
- PDF, CSV and plain text: type and size (an old binary ``.xls`` is named as such).

Pure code: no Django. Callers turn :class:`Refused` into a form or service error
(``jinhu.core.upload_fields``).
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass

MB = 1024 * 1024
#: decoded size limits: JPEG decodes at a reduced scale, so it may have more pixels
MAX_PIXELS = {"JPEG": 50_000_000, "PNG": 25_000_000, "WEBP": 25_000_000}
MAX_SIDE = 16_384
#: an XLSX may inflate to this much XML in all (a 50,000-row workbook is about 20 MB)
XLSX_MAX_INFLATED = 200 * MB
XLSX_MAX_MEMBERS = 2_000
PHOTO_SIDE = 1600  # pixels: plenty on a phone, a fraction of the camera's file

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_WORDS = {
    "image": "JPG/PNG/WebP 图片",
    "pdf": "PDF 文件",
    "xlsx": "Excel（XLSX）工作簿",
    "text": "CSV/文本文件",
}


class Refused(ValueError):
    """An upload that is not accepted, with the reason in Chinese for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Policy:
    kinds: frozenset[str]
    max_bytes: int

    def describe(self) -> str:
        return "或".join(KIND_WORDS[k] for k in sorted(self.kinds, key=list(KIND_WORDS).index))


PHOTO = Policy(frozenset({"image"}), 10 * MB)
DOCUMENT = Policy(frozenset({"image", "pdf"}), 10 * MB)
SPREADSHEET = Policy(frozenset({"xlsx", "text"}), 20 * MB)
TEXT = Policy(frozenset({"text"}), 200 * 1024)


@dataclass(frozen=True)
class Checked:
    data: bytes
    kind: str  # image, pdf, xlsx, text (CSV included)
    content_type: str
    extension: str
    size: tuple[int, int] | None = None  # (width, height) of an image


def check(name: str, stream, policy: Policy, *, declared_size: int | None = None) -> Checked:
    """Read at most ``policy.max_bytes`` (+1) from ``stream`` and judge it."""
    label = f"“{name[:60]}”"
    limit = policy.max_bytes
    if declared_size is not None and declared_size > limit:
        raise Refused(f"{label}超过 {_size_words(limit)}。")
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise Refused(f"{label}超过 {_size_words(limit)}。")
    if not data:
        raise Refused(f"{label}是空文件。")
    kind = kind_of(label, data)
    if kind not in policy.kinds:
        raise Refused(f"{label}不是{policy.describe()}。")
    if kind == "image":
        return _image(label, data)
    if kind == "xlsx":
        _workbook(label, data)
        return Checked(data, "xlsx", XLSX_TYPE, ".xlsx")
    if kind == "pdf":
        return Checked(data, "pdf", "application/pdf", ".pdf")
    return Checked(data, "text", "text/plain", ".txt")


def _size_words(limit: int) -> str:
    return f"{limit // MB} MB" if limit >= MB else f"{limit // 1024} KB"


def kind_of(label: str, data: bytes) -> str | None:
    """What the bytes are (never the name): image, pdf, xlsx, text, or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "xlsx" if _is_workbook(data) else None
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or data[8:12] == b"WEBP":
        return "image"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Refused(
            f"{label}是旧版 Excel（.xls）文件：请在 WPS/Excel 中另存为 .xlsx 或 CSV 后再上传。"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Refused(
            f"{label}是 UTF-16 编码的文本（支持 UTF-8 和 GBK）："
            "请另存为 CSV（UTF-8）或 .xlsx 后再上传。"
        )
    if b"\x00" in data[:8192]:
        return None  # binary of a kind we do not take
    return "text"


def _image(label: str, data: bytes) -> Checked:
    from PIL import Image, UnidentifiedImageError

    too_large = Refused(
        f"{label}的像素过多（上限 {MAX_PIXELS['PNG'] // 1_000_000} 百万像素；"
        f"JPG {MAX_PIXELS['JPEG'] // 1_000_000} 百万像素），请缩小后再上传。"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(IMAGE_TYPES)) as image:
                width, height = image.size  # (from the header: nothing decoded yet)
                limit = MAX_PIXELS[image.format or ""]
                if width * height > limit or max(width, height) > MAX_SIDE:
                    raise too_large
                image.verify()
                fmt = image.format or ""
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError):
        raise Refused(f"{label}不是完好的图片（可能已损坏），请重新导出后上传。") from None
    return Checked(data, "image", IMAGE_TYPES[fmt], ".jpg", (width, height))


def inspect_workbook(data: bytes, name: str = "文件") -> None:
    """Refuse a workbook that would inflate beyond the limits (readers call this before
    openpyxl sees the bytes, wherever the bytes came from)."""
    _workbook(f"“{name[:60]}”", data)


def _is_workbook(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _workbook(label: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # (not a zip: the reader says what it is not)
    if len(members) > XLSX_MAX_MEMBERS or sum(m.file_size for m in members) > XLSX_MAX_INFLATED:
        raise Refused(f"{label}解压后过大（上限 {XLSX_MAX_INFLATED // MB} MB），可能已损坏。")


def photo(checked: Checked, side: int = PHOTO_SIDE) -> Checked:
    """An accepted image re-encoded as a JPEG at most ``side`` pixels on its longer side,
    upright, without EXIF. Memory is bounded by the checks in :func:`check`."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(checked.data), formats=list(IMAGE_TYPES)) as image:
        if image.format == "JPEG" and max(image.size) <= side and not image.getexif():
            return checked  # (already a small JPEG without EXIF: no second loss)
        if image.format == "JPEG":
            image.draft("RGB", (side, side))  # decode at 1/2, 1/4 or 1/8 scale
        upright = ImageOps.exif_transpose(image).convert("RGB")
        upright.thumbnail((side, side))
        out = io.BytesIO()
        upright.save(out, format="JPEG", quality=80, optimize=True)
    data = out.getvalue()
    return Checked(data, "image", "image/jpeg", ".jpg", upright.size)
