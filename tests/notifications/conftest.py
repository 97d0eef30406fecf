"""Local receivers the notification tests deliver to: a group-robot server that checks
what DingTalk and WeCom check (the signature, the key, the body's format and size), and
an SMTP server (aiosmtpd). Both listen on loopback; the network guard stays on."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

DING_TOKEN = "dingtalktoken0123456789abcdef"
DING_SECRET = "SECd1f0e4b3a2c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7"
WECOM_KEY = "693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa"


@dataclass
class Received:
    platform: str
    query: dict
    body: dict
    ok: bool
    error: str = ""


@dataclass
class Robots:
    """What the platforms received, and how they should answer next."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    #: "ok", "http500", "refuse" (errcode ≠ 0)
    answer: str = "ok"

    def accepted(self, platform: str | None = None) -> list[Received]:
        return [r for r in self.received if r.ok and platform in (None, r.platform)]


def _check_dingtalk(query: dict, body: dict) -> str:
    """Empty when DingTalk would take it (加签 security), else why not."""
    if query.get("access_token") != DING_TOKEN:
        return "token missing or wrong"
    stamp = query.get("timestamp", "")
    if not stamp.isdigit() or abs(int(stamp) - time.time() * 1000) > 3600 * 1000:
        return "timestamp missing or more than an hour off"
    expected = base64.b64encode(
        hmac.new(DING_SECRET.encode(), f"{stamp}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    if query.get("sign") != expected:
        return "sign not match"
    markdown = body.get("markdown") or {}
    if body.get("msgtype") != "markdown" or not markdown.get("title") or not markdown.get("text"):
        return "markdown body expected"
    return ""


def _check_wecom(query: dict, body: dict) -> str:
    if query.get("key") != WECOM_KEY:
        return "invalid webhook url"
    content = (body.get("markdown") or {}).get("content", "")
    if body.get("msgtype") != "markdown" or not content:
        return "markdown body expected"
    if len(content.encode()) > 4096:
        return "content exceeds 4096 bytes"
    return ""


@pytest.fixture
def robots(settings):
    state = Robots()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                body = {}
            if parts.path == "/robot/send":
                platform, error = "dingtalk", _check_dingtalk(query, body)
            elif parts.path == "/cgi-bin/webhook/send":
                platform, error = "wecom", _check_wecom(query, body)
            else:
                platform, error = "?", "unknown path"
            if state.answer == "http500":
                self.send_response(500)
                self.end_headers()
                state.received.append(Received(platform, query, body, False, "http500"))
                return
            if state.answer == "refuse":
                error = error or "refused by test"
            state.received.append(Received(platform, query, body, not error, error))
            answer = (
                {"errcode": 0, "errmsg": "ok"}
                if not error
                else {"errcode": 310000, "errmsg": error}
            )
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.JINHU_DINGTALK_API = state.url
    settings.JINHU_WECOM_API = state.url
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class Mailbox:
    messages: list = field(default_factory=list)


@pytest.fixture
def smtp(settings):
    """An SMTP server on loopback (aiosmtpd) and the portal's mail settings pointed at it."""
    from aiosmtpd.controller import Controller

    box = Mailbox()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            message = message_from_bytes(envelope.content, policy=policy.default)
            box.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield box
    controller.stop()
