"""Every upload field refuses pixel bombs, decompression bombs and files of the wrong
kind with a clear Chinese reason (never a 500), judged before anything is decoded.

- pixel bomb: a 12,500 × 12,500 PNG (156 million pixels; about 20 KB). Pillow's own
  guard lets it through with a warning; decoding it would take about 600 MB;
- decompression bomb: a 20,000 × 20,000 PNG (400 million pixels), past Pillow's guard;
- zip bomb: an XLSX whose sheet inflates to 210 MB from about 200 KB.
"""

import datetime as dt
import html
import io
import os
import re
import resource
import struct
import zipfile
import zlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from PIL import Image

from jinhu.core import uploads
from jinhu.core.upload_fields import DocumentField, PhotoField

MB = 1024 * 1024


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG of the given size, all black, built without ever
    holding its pixels (rows are compressed as a stream)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row * 500) for _ in range(height // 500)]
    parts.append(compressor.compress(row * (height % 500)))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="session")
def bombs():
    sheet = io.BytesIO()
    with zipfile.ZipFile(sheet, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b" " * MB
            for _ in range(210):
                member.write(block)
    return {
        "pixels": png_bomb(12_500, 12_500),
        "decompression": png_bomb(20_000, 20_000),
        "zip": sheet.getvalue(),
    }


def test_the_bombs_are_small_files():
    assert len(png_bomb(12_500, 12_500)) < 100_000
    assert len(png_bomb(20_000, 20_000)) < 200_000


@pytest.mark.parametrize("kind", ["pixels", "decompression"])
def test_image_bombs_are_refused_from_the_header(bombs, kind):
    with pytest.raises(uploads.Refused, match="像素过多"):
        uploads.check("bomb.png", io.BytesIO(bombs[kind]), uploads.PHOTO)


def test_a_workbook_that_inflates_too_far_is_refused_before_it_is_opened(bombs):
    assert len(bombs["zip"]) < 1 * MB
    with pytest.raises(uploads.Refused, match="解压后过大"):
        uploads.check("账.xlsx", io.BytesIO(bombs["zip"]), uploads.SPREADSHEET)


def _address_space() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmSize")


def _in_a_child_with_little_memory(function) -> int:
    """Run ``function`` in a forked child whose address space may grow by 200 MB only;
    the child's exit status: 0 done, 3 MemoryError, 4 anything else."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        try:
            allowed = _address_space() + 200 * MB
            resource.setrlimit(resource.RLIMIT_AS, (allowed, allowed))
            function()
            code = 0
        except MemoryError:
            code = 3
        except BaseException:
            code = 4
        os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_refusing_a_bomb_takes_bounded_memory(bombs):
    def decode_it():  # what the portal used to do: open and shrink it
        Image.MAX_IMAGE_PIXELS = None
        with Image.open(io.BytesIO(bombs["pixels"])) as image:
            image.convert("RGB")

    def check_it():
        for kind, policy in (("pixels", uploads.PHOTO), ("decompression", uploads.DOCUMENT)):
            try:
                uploads.check("bomb.png", io.BytesIO(bombs[kind]), policy)
            except uploads.Refused:
                continue
            raise AssertionError("accepted")
        try:
            uploads.check("bomb.xlsx", io.BytesIO(bombs["zip"]), uploads.SPREADSHEET)
        except uploads.Refused:
            return
        raise AssertionError("accepted")

    # The limit is real: decoding the pixel bomb does not fit in it ...
    assert _in_a_child_with_little_memory(decode_it) == 3
    # ... and refusing every bomb does.
    assert _in_a_child_with_little_memory(check_it) == 0


def test_a_phone_photo_is_accepted_upright_small_and_without_its_gps():
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotated 90°
    exif[0x8825] = {2: (30.0, 15.0, 0.0)}  # GPS
    Image.new("RGB", (4000, 3000), (10, 120, 30)).save(buffer, "JPEG", exif=exif)
    checked = uploads.photo(
        uploads.check("IMG_0001.jpg", io.BytesIO(buffer.getvalue()), uploads.PHOTO)
    )
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.format == "JPEG" and image.size == (1200, 1600)  # upright, phone size
        assert not image.getexif()


def test_every_file_on_every_model_goes_through_the_upload_check():
    unchecked = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField) and not isinstance(field, PhotoField | DocumentField)
    ]
    assert not unchecked


# ---------------------------------------------------------------------------
# Each upload field, through its page
# ---------------------------------------------------------------------------
def _png(data: bytes, name="photo.png"):
    return SimpleUploadedFile(name, data, content_type="image/png")


def _page_says(client, response, words: str) -> str:
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        response = client.get(response["Location"])
    body = response.content.decode()
    shown = [
        html.unescape(m)
        for m in re.findall(r"(?s)(?:invalid-feedback|alert)[^>]*>(.*?)</div>", body)
    ]
    assert words in body, (words, shown)
    return body


@pytest.fixture
def finding_a(village_a):
    from demonstration_belt.models import Finding, Inspection

    inspection = Inspection.objects.create(
        kind="comparison", title="互学互比", held_on=dt.date(2026, 10, 1)
    )
    return Finding.objects.create(
        inspection=inspection,
        village=village_a,
        description="台账不全",
        owner="书记",
        deadline=dt.date(2026, 12, 1),
    )


@pytest.mark.parametrize("kind", ["pixels", "decompression"])
def test_report_evidence(client, bombs, kind, report_a, secretary_a):
    from demonstration_belt.models import Evidence

    client.force_login(secretary_a)
    items = {f"progress_{i.pk}": "in_progress" for i in report_a.items.all()}
    response = client.post(
        report_a.get_absolute_url(),
        {"action": "save", "narrative": "本月情况", **items, "evidence": _png(bombs[kind])},
    )
    _page_says(client, response, "像素过多")
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("kind", ["pixels", "decompression"])
def test_finding_evidence(client, bombs, kind, finding_a, secretary_a):
    client.force_login(secretary_a)
    response = client.post(
        "/belt/findings/",
        {
            "finding": finding_a.pk,
            "to": "in_progress",
            "rectification": "已整改",
            "evidence": _png(bombs[kind]),
        },
    )
    _page_says(client, response, "像素过多")
    finding_a.refresh_from_db()
    assert not finding_a.evidence and finding_a.status == "open"


def test_finding_evidence_of_the_wrong_kind(client, finding_a, secretary_a):
    client.force_login(secretary_a)
    page = SimpleUploadedFile("x.html", b"<html>" + b"a" * 1000, content_type="text/html")
    response = client.post(
        "/belt/findings/", {"finding": finding_a.pk, "to": "in_progress", "evidence": page}
    )
    _page_says(client, response, "不是JPG/PNG/WebP 图片或PDF 文件")
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (11 * MB))
    response = client.post(
        "/belt/findings/", {"finding": finding_a.pk, "to": "in_progress", "evidence": big}
    )
    _page_says(client, response, "超过 10 MB")
    finding_a.refresh_from_db()
    assert not finding_a.evidence


PHOTO_PAGES = {
    "cadre": ("secretary_a", lambda f: f"/villages/cadres/{f['cadre_a'].pk}/edit/", "photo"),
    "patrol": ("subdistrict_admin", lambda f: "/attendance/patrols/", "photo"),
    "party-day": ("secretary_a", lambda f: "/belt/party-days/new/", "photo"),
    "meeting": ("subdistrict_admin", lambda f: "/belt/meetings/new/", "photo"),
    "asset (admin)": (
        "subdistrict_admin",
        lambda f: "/admin/collective_economy/asset/add/",
        "photo",
    ),
    "agreement scan (admin)": (
        "subdistrict_admin",
        lambda f: "/admin/demonstration_belt/agreement/add/",
        "scan",
    ),
}


@pytest.mark.parametrize("page", sorted(PHOTO_PAGES))
@pytest.mark.parametrize("kind", ["pixels", "decompression"])
def test_photo_and_scan_fields(client, bombs, kind, page, request):
    username, url_of, field = PHOTO_PAGES[page]
    fixtures = {"cadre_a": request.getfixturevalue("cadre_a")}
    client.force_login(request.getfixturevalue(username))
    response = client.post(url_of(fixtures), {field: _png(bombs[kind])})
    _page_says(client, response, "像素过多")


@pytest.mark.parametrize(
    ("url", "data", "kind", "words"),
    [
        ("/belt/targets/import/", {}, "zip", "解压后过大"),
        ("/belt/targets/import/", {}, "pixels", "不是Excel（XLSX）工作簿或CSV/文本文件"),
        ("/economy/import/", {"kind": "monthly"}, "zip", "解压后过大"),
        ("/economy/import/", {"kind": "monthly"}, "decompression", "不是Excel"),
        ("/attendance/holidays/", {"note": "国办发明电"}, "zip", "“bomb.xlsx”"),
        ("/attendance/holidays/", {"note": "国办发明电"}, "pixels", "不是CSV/文本文件"),
    ],
)
def test_import_fields(client, bombs, subdistrict_admin, village_a, url, data, kind, words):
    client.force_login(subdistrict_admin)
    name = "bomb.xlsx" if kind == "zip" else "bomb.png"
    response = client.post(url, {**data, "file": SimpleUploadedFile(name, bombs[kind])})
    _page_says(client, response, words)


def test_a_zip_bomb_stored_before_the_check_existed_is_refused_by_the_reader(bombs):
    from collective_economy.core.importing import FileRefused, read_table

    with pytest.raises(FileRefused, match="解压后过大"):
        read_table(bombs["zip"], "old.xlsx")


def test_accepted_finding_evidence_is_kept_and_served_only_in_scope(
    client, finding_a, secretary_a, secretary_b
):
    from tests.belt.conftest import jpeg

    client.force_login(secretary_a)
    response = client.post(
        "/belt/findings/",
        {"finding": finding_a.pk, "to": "in_progress", "evidence": jpeg((3000, 2000))},
    )
    assert response.status_code == 302
    finding_a.refresh_from_db()
    assert finding_a.evidence.name.endswith(".jpg")
    url = f"/belt/files/finding/{finding_a.pk}/"
    assert url in client.get("/belt/findings/").content.decode()
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as image:
        assert max(image.size) == 1600
    client.force_login(secretary_b)
    assert client.get(url).status_code == 404
    assert client.get("/belt/files/nothing/1/").status_code == 404
