"""The group robots' wire formats, as their platforms document them.

DingTalk custom robot (钉钉自定义机器人, "加签" security): POST JSON to
``/robot/send?access_token=…&timestamp=…&sign=…`` where ``timestamp`` is milliseconds
since the epoch and ``sign`` is Base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))
URL-encoded; the platform refuses a timestamp more than an hour off. Markdown body:
``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``.

WeCom group robot (企业微信群机器人): POST JSON to ``/cgi-bin/webhook/send?key=…``; the key
is the credential. Markdown body ``{"msgtype": "markdown", "markdown": {"content": …}}``,
content at most 4096 bytes; at most 20 messages a minute per robot.

Both answer ``{"errcode": 0, "errmsg": "ok"}``; any other errcode is a failure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from urllib.parse import parse_qs, quote_plus, urlencode, urlsplit

from notifications.core.text import Message, truncate_bytes

DINGTALK_PATH = "/robot/send"
WECOM_PATH = "/cgi-bin/webhook/send"
WECOM_MARKDOWN_BYTES = 4096
DINGTALK_TEXT_BYTES = 18000  # (the platform's limit is 20,000 bytes for the whole body)
#: messages a WeCom robot accepts per minute (DingTalk: 20 as well)
PER_MINUTE = 20

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,128}$")


class RobotError(ValueError):
    """A webhook address or answer that is not what the platform sends; Chinese message."""


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    """The ``sign`` parameter (already URL-encoded) for ``timestamp_ms`` and ``secret``."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def dingtalk_url(api: str, token: str, secret: str, timestamp_ms: int) -> str:
    query = urlencode({"access_token": token, "timestamp": timestamp_ms})
    if secret:
        query += f"&sign={dingtalk_sign(timestamp_ms, secret)}"
    return f"{api.rstrip('/')}{DINGTALK_PATH}?{query}"


def wecom_url(api: str, key: str) -> str:
    return f"{api.rstrip('/')}{WECOM_PATH}?{urlencode({'key': key})}"


#: what people typed must not become markup in a group: a link, a <font> tag or a WeCom
#: mention (<@userid>)
_PLAIN = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞"})


def _markdown(message: Message) -> str:
    title, body = message.title.translate(_PLAIN), message.body.translate(_PLAIN)
    text = f"### {title}\n\n{body}"
    if message.link:
        text += f"\n\n[打开平台查看]({message.link})"
    return text


def fits(kind: str, message: Message) -> bool:
    """Whether ``message`` goes out whole on a ``kind`` channel (a digest is split so that
    each part does: nothing is cut off a group's list)."""
    limit = {"dingtalk": DINGTALK_TEXT_BYTES, "wecom": WECOM_MARKDOWN_BYTES}.get(kind)
    return limit is None or len(_markdown(message).encode()) <= limit


def dingtalk_body(message: Message) -> bytes:
    text = truncate_bytes(_markdown(message), DINGTALK_TEXT_BYTES)
    payload = {"msgtype": "markdown", "markdown": {"title": message.title, "text": text}}
    return json.dumps(payload, ensure_ascii=False).encode()


def wecom_body(message: Message) -> bytes:
    content = truncate_bytes(_markdown(message), WECOM_MARKDOWN_BYTES)
    payload = {"msgtype": "markdown", "markdown": {"content": content}}
    return json.dumps(payload, ensure_ascii=False).encode()


def check_answer(body: bytes) -> None:
    """RobotError unless the platform's answer says the message was accepted."""
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise RobotError(f"平台返回的不是 JSON：{body[:120]!r}") from None
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        code = answer.get("errcode") if isinstance(answer, dict) else None
        text = answer.get("errmsg") if isinstance(answer, dict) else None
        raise RobotError(f"平台拒收（errcode={code}，{text}）")


def token_from_webhook(kind: str, value: str, api: str) -> str:
    """The access token (DingTalk) or key (WeCom) from the webhook address a group's
    robot page shows, or the bare token itself. RobotError when it is another address."""
    value = value.strip()
    if _TOKEN.match(value):
        return value
    parts = urlsplit(value)
    expected = urlsplit(api)
    path = DINGTALK_PATH if kind == "dingtalk" else WECOM_PATH
    name = "access_token" if kind == "dingtalk" else "key"
    if (parts.scheme, parts.netloc) != (expected.scheme, expected.netloc) or parts.path != path:
        raise RobotError(
            f"不是{'钉钉' if kind == 'dingtalk' else '企业微信'}群机器人的地址"
            f"（应以 {api.rstrip('/')}{path} 开头）。"
        )
    token = parse_qs(parts.query).get(name, [""])[0]
    if not _TOKEN.match(token):
        raise RobotError(f"地址中没有有效的 {name}。")
    return token
