"""A rule's text with the occasion's facts filled in, and the digest of several notices.

Administrators edit the texts, so a text is checked before it is saved: only the
placeholders a rule offers (``{village}``, ``{month}`` …), no attribute or index access,
and braces doubled to be literal. Rendering never raises: an unknown placeholder (a text
saved before a rule changed) is left as written.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_FORMATTER = string.Formatter()


class TextError(ValueError):
    """A rule text that cannot be used; the message says why, in Chinese."""


def placeholders(template: str) -> list[str]:
    """The placeholder names of ``template``; TextError when it is malformed."""
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise TextError("花括号不成对：占位符写作 {名称}，文字中的花括号请写两次。") from exc
    names = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise TextError(f"占位符 {{{name}}} 的写法不对：只能写作 {{名称}}。")
        names.append(name)
    return names


def check(template: str, allowed: Iterable[str]) -> None:
    """TextError unless every placeholder of ``template`` is one of ``allowed``."""
    allowed = set(allowed)
    unknown = [name for name in placeholders(template) if name not in allowed]
    if unknown:
        offered = "、".join(f"{{{n}}}" for n in sorted(allowed)) or "（无）"
        raise TextError(f"未知的占位符 {{{unknown[0]}}}；可用的有：{offered}。")


class _Facts(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, facts: Mapping[str, object]) -> str:
    """``template`` with ``facts`` filled in; never raises."""
    try:
        return template.format_map(_Facts({k: str(v) for k, v in facts.items()}))
    except (ValueError, AttributeError, IndexError, KeyError):
        return template


@dataclass(frozen=True)
class Message:
    """What a channel sends: a title, a body and an absolute link (may be empty)."""

    title: str
    body: str
    link: str = ""


def digest(messages: list[Message], heading: str) -> Message:
    """Several notices as one message (the daily digest), numbered, links kept."""
    lines = []
    for number, message in enumerate(messages, start=1):
        line = f"{number}. {message.title}：{message.body}"
        if message.link:
            line += f" {message.link}"
        lines.append(line)
    return Message(f"{heading}（{len(messages)} 条）", "\n".join(lines))


def truncate_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes (whole characters, with an ellipsis)."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[: max(limit - len("…".encode()), 0)].decode("utf-8", errors="ignore")
    return cut + "…"
