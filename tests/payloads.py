"""The example exchanges in tests/fixtures/payloads (copied from shared/protocols/payloads).

Each file has a '#' header ending at the marker line; after it come raw HTTP
requests and responses, separated by '=== ' lines that are not on the wire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

DIR = Path(__file__).parent / "fixtures" / "payloads"
MARKER = b"# ---8<--- payload starts on the next line\n"
REQUEST_RE = re.compile(rb"^(GET|POST) (\S+) HTTP/1\.1\r?$", re.M)
STOP_RE = re.compile(rb"^(=== |HTTP/1\.1 |GET /|POST /)", re.M)


@dataclass
class RawRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def payload(name: str) -> bytes:
    return (DIR / name).read_bytes().split(MARKER, 1)[1]


def requests(name: str) -> list[RawRequest]:
    data = payload(name)
    out = []
    for match in REQUEST_RE.finditer(data):
        head_end = re.search(rb"\r?\n\r?\n", data[match.end() :])
        head = data[match.end() : match.end() + head_end.start()].decode()
        body_start = match.end() + head_end.end()
        stop = STOP_RE.search(data, body_start)
        body = data[body_start : stop.start() if stop else len(data)]
        headers = {}
        for line in head.strip().splitlines():
            key, _sep, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        url = urlsplit(match.group(2).decode())
        out.append(
            RawRequest(match.group(1).decode(), url.path, dict(parse_qsl(url.query)), headers, body)
        )
    return out


def json_or_xml(name: str) -> bytes:
    """Files that hold a bare document (no HTTP framing)."""
    return payload(name)


def responses(name: str) -> list[str]:
    """The bodies the reference exchange expects back, in order."""
    data = payload(name).decode("utf-8", "replace")
    bodies = []
    for match in re.finditer(r"^HTTP/1\.1 .*?\n\n(.*?)(?=^=== |\Z)", data, re.M | re.S):
        bodies.append(match.group(1).strip())
    return bodies
