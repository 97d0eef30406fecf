"""Pure protocol code: bytes in, dataclasses out. No ORM, no Django settings.

``zkteco`` speaks the ZKTeco attendance PUSH ("ADMS"/"iclock") text formats,
``hikvision`` the ISAPI event notifications (JSON, XML, multipart).
See ../shared/protocols/DEVICES.md for the field-by-field reference.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Malformed:
    """A line or part that could not be understood: quarantined with its reason."""

    line_no: int
    raw: str
    reason: str


def decode(body: bytes) -> tuple[str, str]:
    """Strict UTF-8, else GB18030 (a superset of GBK/GB2312, which Chinese devices use).

    A body holding NUL characters (garbage, never a record) is marked ``+nul``: the
    encoding is stored with the request, and the set-based parse, which cannot take
    NUL, leaves such bodies to the Python parser without having to read them again.
    """
    try:
        text, encoding = body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = body.decode("gb18030", errors="replace"), "gb18030"
    if "\x00" in text:
        encoding += "+nul"
    return text, encoding
