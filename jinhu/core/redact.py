"""Keep device secrets out of stored rows and log lines.

A Hikvision terminal authenticates by the secret token in its URL
(``/hik/events/<token>/``), and the device row keeps only the token's SHA-256.
Anything that would write the URL (the stored request path, access logs,
``django.request`` warnings) writes ``/hik/events/~<first 8 hex of the hash>/``
instead: enough for staff to match it with a device (its ``token_hash`` starts
with the same characters), useless to anyone reading a log.
"""

from __future__ import annotations

import hashlib
import logging
import re

_TOKEN_IN_PATH = re.compile(r"(/hik/events/)([^/?#\s\"']+)")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _replace(match: re.Match) -> str:
    token = match.group(2)
    if token.startswith("~"):
        return match.group(0)  # already redacted
    return f"{match.group(1)}~{token_digest(token)[:8]}"


def redact(text: str) -> str:
    """``text`` with every Hikvision token in a URL path replaced by its hash prefix."""
    if "/hik/events/" not in text:
        return text
    return _TOKEN_IN_PATH.sub(_replace, text)


class RedactTokens(logging.Filter):
    """A logging filter (on every handler): redacts the formatted message and its args."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/hik/events/" in message:
            record.msg = redact(message)
            record.args = None
        return True
