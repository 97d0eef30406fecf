"""The pure pieces: texts and placeholders, quiet hours and back-off, the robots' formats."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from notifications.core import robots, text, timing


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ("{village}的{month}", None),
        ("{{字面花括号}}", None),
        ("{village.name}", "写法不对"),
        ("{village!r}", "写法不对"),
        ("{village:>10}", "写法不对"),
        ("{0}", "写法不对"),
        ("{nope}", "未知的占位符 {nope}"),
        ("未闭合{", "花括号不成对"),
    ],
)
def test_a_text_may_only_use_its_rules_placeholders(template, error):
    if error is None:
        text.check(template, ["village", "month"])
    else:
        with pytest.raises(text.TextError, match=error):
            text.check(template, ["village", "month"])


def test_rendering_never_raises():
    assert text.render("{village}：{count}", {"village": "甲村", "count": 3}) == "甲村：3"
    assert text.render("{village}{unknown}", {"village": "甲村"}) == "甲村{unknown}"
    assert text.render("坏{", {}) == "坏{"


def test_cutting_keeps_whole_characters():
    assert text.truncate_bytes("短", 10) == "短"
    cut = text.truncate_bytes("长" * 100, 20)
    assert cut.endswith("…") and len(cut.encode()) <= 20


@pytest.mark.parametrize(
    ("value", "inside", "outside"),
    [
        ("21:30-07:30", ["21:30", "23:59", "00:00", "07:29"], ["07:30", "12:00", "21:29"]),
        ("12:00-13:00", ["12:00", "12:59"], ["11:59", "13:00"]),
    ],
)
def test_quiet_hours(value, inside, outside):
    hours = timing.QuietHours.parse(value)
    day = dt.date(2026, 11, 26)
    for clock in inside:
        assert hours.contains(dt.datetime.combine(day, timing.parse_time(clock))), clock
    for clock in outside:
        assert not hours.contains(dt.datetime.combine(day, timing.parse_time(clock))), clock


def test_quiet_hours_end_and_edge_cases():
    hours = timing.QuietHours.parse("21:30-07:30")
    evening = dt.datetime(2026, 11, 26, 22, 0)
    assert hours.ends_after(evening) == dt.datetime(2026, 11, 27, 7, 30)
    assert hours.ends_after(dt.datetime(2026, 11, 27, 3, 0)) == dt.datetime(2026, 11, 27, 7, 30)
    noon = dt.datetime(2026, 11, 26, 12, 0)
    assert hours.ends_after(noon) == noon
    assert timing.QuietHours.parse("") is None
    assert timing.QuietHours.parse("08:00-08:00") is None
    for bad in ("22-07", "22:00", "25:00-07:00x", "ab:cd-07:00"):
        with pytest.raises(ValueError):
            timing.QuietHours.parse(bad)


def test_digest_and_backoff():
    at = dt.time(8, 30)
    assert timing.next_digest(dt.datetime(2026, 11, 26, 8, 0), at) == dt.datetime(
        2026, 11, 26, 8, 30
    )
    assert timing.next_digest(dt.datetime(2026, 11, 26, 9, 0), at) == dt.datetime(
        2026, 11, 27, 8, 30
    )
    assert [timing.backoff(n).total_seconds() / 60 for n in range(0, 9)] == [
        0,
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
    ]
    assert timing.backoff(1000) == dt.timedelta(hours=1)


def test_dingtalk_sign_matches_the_documented_recipe():
    """Base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), URL-encoded."""
    import base64
    import hashlib
    import hmac
    from urllib.parse import quote_plus

    secret, stamp = "SECabc", 1700000000000
    expected = quote_plus(
        base64.b64encode(
            hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
        )
    )
    assert robots.dingtalk_sign(stamp, secret) == expected
    url = robots.dingtalk_url("https://oapi.dingtalk.com/", "tok12345678", secret, stamp)
    assert url.startswith(
        "https://oapi.dingtalk.com/robot/send?access_token=tok12345678&timestamp="
    )
    assert url.endswith(f"&sign={expected}")
    assert "sign=" not in robots.dingtalk_url("https://x", "tok12345678", "", stamp)


def test_bodies_and_answers():
    message = text.Message("标题", "正文", "https://portal/x/")
    ding = json.loads(robots.dingtalk_body(message))
    assert (
        ding["markdown"]["title"] == "标题"
        and "[打开平台查看](https://portal/x/)" in ding["markdown"]["text"]
    )
    wecom = json.loads(robots.wecom_body(message))
    assert wecom == {
        "msgtype": "markdown",
        "markdown": {"content": "### 标题\n\n正文\n\n[打开平台查看](https://portal/x/)"},
    }
    robots.check_answer(b'{"errcode": 0, "errmsg": "ok"}')
    for bad in (b"<html>", b"[]", b'{"errcode": 93000, "errmsg": "invalid webhook url"}', b"\xff"):
        with pytest.raises(robots.RobotError):
            robots.check_answer(bad)
    assert robots.fits("email", text.Message("t", "长" * 10000))
    assert not robots.fits("wecom", text.Message("t", "长" * 2000))


def test_a_wecom_address_or_a_bare_key():
    api = "https://qyapi.weixin.qq.com"
    key = "693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa"
    assert robots.token_from_webhook("wecom", f"{api}/cgi-bin/webhook/send?key={key}", api) == key
    assert robots.token_from_webhook("wecom", key, api) == key
    with pytest.raises(robots.RobotError, match="企业微信"):
        robots.token_from_webhook("wecom", f"{api}/robot/send?key={key}", api)
    with pytest.raises(robots.RobotError, match="没有有效的 key"):
        robots.token_from_webhook("wecom", f"{api}/cgi-bin/webhook/send?nokey=1", api)


def test_what_people_typed_is_not_markup_in_a_group():
    message = text.Message(
        "问题[点我](http://evil)", "<@all> <font color=red>急</font>", "https://p/x"
    )
    content = json.loads(robots.wecom_body(message))["markdown"]["content"]
    assert "[点我](" not in content and "<@all>" not in content and "<font" not in content
    assert "［点我］(http://evil)" in content
    assert content.endswith("[打开平台查看](https://p/x)")  # (the portal's own link stays one)
