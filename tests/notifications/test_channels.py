"""Outgoing channels against local receivers: DingTalk's signature and body, WeCom's key
and body, SMTP delivery; quiet hours; retries that back off; a failing channel switched
off with a notice to staff; the daily digest; the settings and delivery-log pages."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse

from demonstration_belt.models import Finding
from jinhu.core import clock
from notifications.core import robots as robot_format
from notifications.models import Channel, Delivery, Notification
from notifications.services import evaluate, send
from notifications.services import inbox as services

from .conftest import DING_SECRET, DING_TOKEN, WECOM_KEY

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).replace(tzinfo=SH)


def _finding(village, text="村务公开栏未及时更新", days=10):
    return Finding.objects.create(
        village=village,
        description=text,
        owner="张三",
        deadline=clock.today() + dt.timedelta(days=days),
    )


def _channel(owner=None, village=None, **fields):
    defaults = {"name": "测试通道", "kind": "dingtalk", "token": DING_TOKEN, "secret": DING_SECRET}
    return Channel.objects.create(
        owner=owner,
        village=village,
        created_by=owner or fields.pop("created_by"),
        created_at=clock.now(),
        **{**defaults, **fields},
    )


def test_dingtalk_signature_and_body_are_what_the_platform_checks(secretary_a, village_a, robots):
    channel = _channel(owner=secretary_a)
    _finding(village_a)
    evaluate.evaluate_all()
    assert send.send_due()["sent"] == 1
    [got] = robots.received
    assert got.ok, got.error
    assert got.body["msgtype"] == "markdown"
    assert got.body["markdown"]["title"] == "新的整改事项：村务公开栏未及时更新"
    assert "甲村有一项待整改问题" in got.body["markdown"]["text"]
    assert "http://" in got.body["markdown"]["text"]  # the link back to the portal
    delivery = Delivery.objects.get(channel=channel)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")


def test_a_wrong_secret_is_refused_by_the_receiver_and_logged(secretary_a, village_a, robots):
    channel = _channel(owner=secretary_a, secret="SECwrong")
    _finding(village_a)
    evaluate.evaluate_all()
    assert send.send_due()["failed"] == 1
    assert robots.received[0].error == "sign not match"
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "310000" in delivery.last_error and "sign not match" in delivery.last_error


def test_wecom_key_and_body(village_a, secretary_a, robots):
    _channel(village=village_a, kind="wecom", token=WECOM_KEY, secret="", created_by=secretary_a)
    _finding(village_a)
    evaluate.evaluate_all()
    assert send.send_due()["sent"] == 1
    [got] = robots.accepted("wecom")
    content = got.body["markdown"]["content"]
    assert got.query["key"] == WECOM_KEY
    assert content.startswith("### 新的整改事项：村务公开栏未及时更新")


@pytest.mark.frozen_at("2026-11-26T10:00:00+08:00")
def test_a_long_digest_is_split_to_fit_wecoms_4096_bytes(village_a, secretary_a, robots, moment):
    _channel(owner=secretary_a, kind="wecom", token=WECOM_KEY, secret="", mode="digest")
    for number in range(12):
        _finding(village_a, text=f"问题{number:02d}" + "长" * 290)
    evaluate.evaluate_all()
    moment.move_to(at("2026-11-27T08:31"))
    parts = send.send_due()["sent"]
    assert parts > 1
    got = robots.accepted("wecom")  # (the receiver refuses more than 4096 bytes)
    assert len(got) == parts == len(robots.received)
    everything = "".join(r.body["markdown"]["content"] for r in got)
    assert all(f"问题{n:02d}" in everything for n in range(12))  # nothing cut off
    assert not any(r.body["markdown"]["content"].endswith("…") for r in got)


def test_smtp_delivery(secretary_a, village_a, smtp, settings):
    settings.DEFAULT_FROM_EMAIL = "portal@jinhu.test"
    _channel(owner=secretary_a, kind="email", token="", secret="", address="shuji@jinhu.test")
    _finding(village_a)
    evaluate.evaluate_all()
    assert send.send_due()["sent"] == 1
    [(sender, recipients, message)] = smtp.messages
    assert sender == "portal@jinhu.test" and recipients == ["shuji@jinhu.test"]
    assert "新的整改事项：村务公开栏未及时更新" in message["Subject"]
    body = message.get_body().get_content()
    assert "甲村有一项待整改问题" in body and "/belt/findings/" in body


@pytest.mark.frozen_at("2026-11-26T22:30:00+08:00")
def test_quiet_hours_hold_messages_until_morning(secretary_a, village_a, robots, moment):
    _channel(owner=secretary_a)
    _finding(village_a)
    evaluate.evaluate_all()
    # In the portal at once …
    assert Notification.objects.filter(recipient=secretary_a).exists()
    # … but nothing goes out at night,
    assert send.send_due() == {"quiet": True, "sent": 0, "failed": 0}
    moment.move_to(at("2026-11-27T07:29"))
    assert send.send_due()["quiet"] is True
    assert robots.received == []
    # and it goes when the quiet hours end.
    moment.move_to(at("2026-11-27T07:31"))
    assert send.send_due()["sent"] == 1
    assert len(robots.accepted()) == 1


def test_quiet_hours_are_configurable(settings, moment):
    moment.move_to(at("2026-11-26T12:30"))
    settings.JINHU_NOTIFY_QUIET_HOURS = "12:00-13:00"
    assert send.quiet_until(clock.now()) == at("2026-11-26T13:00")
    settings.JINHU_NOTIFY_QUIET_HOURS = ""
    assert send.quiet_until(clock.now()) is None


def test_retries_back_off_then_give_up(secretary_a, village_a, robots, moment, settings):
    settings.JINHU_NOTIFY_DISABLE_AFTER = 99
    robots.answer = "http500"
    channel = _channel(owner=secretary_a)
    _finding(village_a)
    evaluate.evaluate_all()
    start = clock.now()
    waits = []
    for _ in range(settings.JINHU_NOTIFY_MAX_ATTEMPTS):
        delivery = Delivery.objects.get(channel=channel)
        moment.move_to(max(delivery.next_attempt_at, clock.now()))
        assert send.send_due()["failed"] == 1
        delivery.refresh_from_db()
        waits.append(round((delivery.next_attempt_at - clock.now()).total_seconds() / 60))
    assert delivery.status == "failed" and delivery.attempts == settings.JINHU_NOTIFY_MAX_ATTEMPTS
    assert delivery.last_error == "平台返回 HTTP 500"
    assert waits[:5] == [1, 2, 4, 8, 16]
    assert clock.now() - start < dt.timedelta(hours=1)
    # Nothing is due any more: a failed delivery is not sent again by itself.
    moment.move_to(clock.now() + dt.timedelta(hours=2))
    assert send.send_due()["sent"] == send.send_due()["failed"] == 0


def test_a_channel_that_keeps_failing_is_switched_off_and_staff_told(
    secretary_a, village_a, subdistrict_admin, robots, settings, moment
):
    settings.JINHU_NOTIFY_DISABLE_AFTER = 3
    settings.JINHU_NOTIFY_DISABLE_HOURS = 1
    settings.JINHU_NOTIFY_MAX_ATTEMPTS = 99
    settings.ADMINS = [("", "ops@jinhu.test")]
    robots.answer = "refuse"
    channel = _channel(owner=secretary_a)
    for number in range(3):
        _finding(village_a, text=f"问题{number}")
    evaluate.evaluate_all()
    start = clock.now()
    # One failure per run (the rest wait: the platform is not hammered) …
    assert send.send_due() == {"quiet": False, "sent": 0, "failed": 1}
    for _ in range(3):
        moment.move_to(clock.now() + dt.timedelta(minutes=5))
        send.send_due()
    channel.refresh_from_db()
    # … and a platform down for a few minutes is not a broken channel.
    assert channel.active and channel.failures == 4
    while channel.active:
        moment.move_to(clock.now() + dt.timedelta(minutes=10))
        send.send_due()
        channel.refresh_from_db()
    assert clock.now() - start >= dt.timedelta(hours=1)
    assert "连续" in channel.disabled_reason and "次发送失败" in channel.disabled_reason
    assert not Delivery.objects.filter(channel=channel, status="pending").exists()
    assert Delivery.objects.filter(channel=channel, status="skipped").exists()
    notice = Notification.objects.get(recipient=subdistrict_admin, rule__key="channel_disabled")
    assert notice.title == "外发通道“测试通道”已停用"
    assert not Notification.objects.filter(recipient=secretary_a, rule__key="channel_disabled")
    assert [m.subject for m in mail.outbox if "已停用" in m.subject]
    # Switched back on, it works again from a clean count.
    robots.answer = "ok"
    services.channel_enable(actor=secretary_a, channel=channel, active=True)
    channel.refresh_from_db()
    assert channel.active and channel.failures == 0 and channel.failing_since is None


@pytest.mark.frozen_at("2026-11-26T10:00:00+08:00")
def test_the_daily_digest_is_one_message(secretary_a, village_a, robots, moment, settings):
    settings.JINHU_NOTIFY_DIGEST_AT = "08:30"
    _channel(owner=secretary_a, mode="digest")
    _finding(village_a, text="问题一")
    _finding(village_a, text="问题二")
    evaluate.evaluate_all()
    assert send.send_due()["sent"] == 0  # (not before the digest hour)
    moment.move_to(at("2026-11-27T08:31"))
    assert send.send_due()["sent"] == 1
    [got] = robots.accepted()
    assert got.body["markdown"]["title"].startswith("锦湖平台每日提醒汇总（2 条）")
    text = got.body["markdown"]["text"]
    assert "问题一" in text and "问题二" in text


def test_a_village_group_gets_each_village_notice_once(
    village_a, secretary_a, cadre_user_a, robots
):
    """Two people of the village get the notice; the village's group gets one message."""
    _channel(village=village_a, created_by=secretary_a)
    _finding(village_a)
    evaluate.evaluate_all()
    assert Notification.objects.filter(rule__key="finding_assigned").count() == 2
    send.send_due()
    assert len(robots.accepted()) == 1


def test_a_channel_takes_only_the_rules_chosen(secretary_a, village_a, robots):
    from notifications.models import Rule

    evaluate.rules_ensure()
    channel = _channel(owner=secretary_a)
    channel.rules.set([Rule.objects.get(key="rectification_due")])
    _finding(village_a, days=10)  # assigned, not yet due
    evaluate.evaluate_all()
    assert not Delivery.objects.filter(channel=channel).exists()


@pytest.fixture
def cadre_user_a(village_a):
    from tests.factories import make_user
    from villages.models import Role

    return make_user("cadre-a", Role.CADRE, villages=[village_a], display_name="甲村干部")


# ---------------------------------------------------------------------------
# The robot address a person pastes
# ---------------------------------------------------------------------------
def test_only_the_platforms_own_address_is_taken():
    api = "https://oapi.dingtalk.com"
    good = f"{api}/robot/send?access_token={DING_TOKEN}"
    assert robot_format.token_from_webhook("dingtalk", good, api) == DING_TOKEN
    for bad in (
        f"https://evil.example/robot/send?access_token={DING_TOKEN}",
        f"http://oapi.dingtalk.com/robot/send?access_token={DING_TOKEN}",
        f"{api}/robot/other?access_token={DING_TOKEN}",
        f"{api}/robot/send?access_token=bad token",
        "http://169.254.169.254/latest/meta-data",
    ):
        with pytest.raises(robot_format.RobotError):
            robot_format.token_from_webhook("dingtalk", bad, api)


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------
SETTINGS = reverse("notifications:settings")


def test_a_secretary_adds_a_village_group_and_tests_it(
    client, secretary_a, village_a, robots, django_capture_on_commit_callbacks
):
    client.force_login(secretary_a)
    page = client.get(SETTINGS).content.decode()
    assert "尚未设置外发通道" in page
    response = client.post(
        SETTINGS,
        {
            "name": "甲村两委群",
            "kind": "dingtalk",
            "village": village_a.pk,
            "webhook": f"{robots.url}/robot/send?access_token={DING_TOKEN}",
            "secret": DING_SECRET,
            "mode": "immediate",
        },
    )
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert (channel.village, channel.owner, channel.token) == (village_a, None, DING_TOKEN)
    page = client.get(SETTINGS).content.decode()
    assert "甲村两委群" in page and DING_TOKEN not in page and "…" + DING_TOKEN[-4:] in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notifications:channel", args=[channel.pk]), {"action": "test"})
    assert robots.accepted()[0].body["markdown"]["title"] == "测试消息"
    log = client.get(reverse("notifications:deliveries")).content.decode()
    assert "测试消息" in log and "已发送" in log


def test_another_address_is_refused_with_the_field_named(client, secretary_a, settings):
    client.force_login(secretary_a)
    response = client.post(
        SETTINGS,
        {
            "name": "群",
            "kind": "wecom",
            "webhook": "http://10.0.0.5/cgi-bin/webhook/send?key=abcdefgh1234",
            "mode": "immediate",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "机器人地址：不是企业微信群机器人的地址" in page
    assert not Channel.objects.exists()
    response = client.post(SETTINGS, {"name": "邮箱", "kind": "email", "mode": "immediate"})
    assert "邮箱地址：电子邮件通道须填写邮箱地址。" in response.content.decode()


def test_channels_and_logs_are_scoped(client, secretary_a, secretary_b, village_a, village_b):
    mine = _channel(village=village_a, created_by=secretary_a, name="甲村群")
    theirs = _channel(village=village_b, created_by=secretary_b, name="乙村群")
    client.force_login(secretary_b)
    page = client.get(SETTINGS).content.decode()
    assert "乙村群" in page and "甲村群" not in page
    # Another village's channel is a 404, whatever the action.
    for action in ("test", "disable", "delete"):
        url = reverse("notifications:channel", args=[mine.pk])
        assert client.post(url, {"action": action}).status_code == 404
    # The village choice offers only the villages the person may manage.
    form = client.get(SETTINGS).context["form"]
    assert list(form.fields["village"].queryset) == [village_b]
    # Posting another village's id is refused by the form (not in its choices).
    response = client.post(
        SETTINGS,
        {
            "name": "x",
            "kind": "email",
            "address": "a@b.cn",
            "village": village_a.pk,
            "mode": "digest",
        },
    )
    assert "village" in response.context["form"].errors
    assert Channel.objects.count() == 2 and theirs.village == village_b


def test_an_instructor_sees_but_does_not_manage_a_village_group(
    client, instructor_a, secretary_a, village_a
):
    _channel(village=village_a, created_by=secretary_a, name="甲村群")
    client.force_login(instructor_a)
    page = client.get(SETTINGS).content.decode()
    assert "甲村群" in page and "发送测试消息" not in page  # no button that leads to a 403


def test_e_mail_is_never_reported_sent_when_it_only_printed(
    client, secretary_a, village_a, settings
):
    """The embedded default prints mails: a channel may not pretend it delivered one."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    client.force_login(secretary_a)
    response = client.post(
        SETTINGS, {"name": "邮箱", "kind": "email", "address": "a@b.cn", "mode": "immediate"}
    )
    assert "类型：本平台未配置邮件服务器" in response.content.decode()
    channel = _channel(owner=secretary_a, kind="email", token="", secret="", address="a@b.cn")
    _finding(village_a)
    evaluate.evaluate_all()
    send.send_due()
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == "pending" and "EMAIL_URL" in delivery.last_error


def test_switch_off_on_delete_and_resend_from_the_pages(client, secretary_a, village_a, robots):
    channel = _channel(owner=secretary_a)
    robots.answer = "refuse"
    _finding(village_a)
    evaluate.evaluate_all()
    send.send_due()
    client.force_login(secretary_a)
    url = reverse("notifications:channel", args=[channel.pk])
    assert client.get(url).status_code == 405  # (one's own channel: only POST acts)
    log = reverse("notifications:deliveries")
    page = client.get(log + "?status=pending").content.decode()
    assert "待发送" in page and "310000" in page and "重发" not in page  # (still retrying)
    client.post(url, {"action": "disable"})
    channel.refresh_from_db()
    assert not channel.active and channel.disabled_reason == "已手动停用"
    assert Delivery.objects.get(channel=channel).status == "skipped"
    assert "重发" not in client.get(log).content.decode()  # (its channel is off)
    client.post(url, {"action": "enable"})
    robots.answer = "ok"
    delivery = Delivery.objects.get(channel=channel)
    page = client.get(log + f"?channel={channel.pk}&status=skipped").content.decode()
    assert "重发" in page
    response = client.post(log, {"delivery": delivery.pk})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    send.send_due()
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    # A sent delivery is not resent.
    client.post(log, {"delivery": delivery.pk})
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    client.post(url, {"action": "nonsense"})
    client.post(url, {"action": "delete"})
    assert not Channel.objects.filter(pk=channel.pk).exists()


def test_a_disabled_channel_takes_no_test_message(client, secretary_a):
    channel = _channel(owner=secretary_a, active=False)
    client.force_login(secretary_a)
    response = client.post(
        reverse("notifications:channel", args=[channel.pk]), {"action": "test"}, follow=True
    )
    assert "通道已停用，请先启用" in response.content.decode()
    assert not Delivery.objects.exists()
