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
    """Strict UTF-8, else GB18030 (a superset of GBK/GB2312, which Chinese devices use)."""
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("gb18030", errors="replace"), "gb18030"
