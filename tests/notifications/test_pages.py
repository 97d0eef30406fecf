"""The bell, the inbox and the rules page, for the named cast."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from demonstration_belt.models import Finding
from jinhu.core import clock
from notifications.models import Notification, Rule
from notifications.services import evaluate

INBOX = reverse("notifications:inbox")
RULES = reverse("notifications:rules")


def _finding(village, text="村务公开栏未及时更新"):
    return Finding.objects.create(
        village=village,
        description=text,
        owner="张三",
        deadline=clock.today() + dt.timedelta(days=10),
    )


def test_the_bell_counts_my_unread_notices_on_every_page(
    client, secretary_a, secretary_b, village_a, village_b
):
    _finding(village_a, "甲村的问题")
    _finding(village_a, "甲村的另一个问题")
    evaluate.evaluate_all()
    client.force_login(secretary_a)
    for url in ("/", reverse("belt:reports"), INBOX):
        page = client.get(url).content.decode()
        assert 'data-testid="bell-count">2<' in page, url
    client.force_login(secretary_b)
    page = client.get(INBOX).content.decode()
    assert 'data-testid="bell-count"' not in page and "甲村的问题" not in page
    assert "没有未读提醒" in page


def test_open_marks_read_and_goes_to_the_object(client, secretary_a, village_a):
    _finding(village_a)
    evaluate.evaluate_all()
    notice = Notification.objects.get(recipient=secretary_a)
    client.force_login(secretary_a)
    response = client.post(reverse("notifications:open", args=[notice.pk]), {"go": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("belt:findings")
    notice.refresh_from_db()
    assert notice.read_at is not None
    unread = client.get(INBOX).content.decode()
    assert "村务公开栏未及时更新" not in unread
    everything = client.get(INBOX + "?show=all").content.decode()
    assert "村务公开栏未及时更新" in everything


def test_an_offsite_link_is_never_followed(client, secretary_a, village_a):
    _finding(village_a)
    evaluate.evaluate_all()
    notice = Notification.objects.get(recipient=secretary_a)
    Notification.objects.filter(pk=notice.pk).update(url="https://evil.example/")
    client.force_login(secretary_a)
    response = client.post(reverse("notifications:open", args=[notice.pk]), {"go": "1"})
    assert response["Location"] == INBOX


def test_read_all_and_someone_elses_notice(client, secretary_a, subdistrict_admin, village_a):
    _finding(village_a, "一")
    _finding(village_a, "二")
    evaluate.evaluate_all()
    client.force_login(secretary_a)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=secretary_a, read_at__isnull=True).exists()
    # The staff's own notices are untouched, and theirs are a 404 to the secretary.
    staffs = Notification.objects.filter(recipient=subdistrict_admin)
    if staffs.exists():
        assert client.post(reverse("notifications:open", args=[staffs[0].pk])).status_code == 404


def test_rules_page_is_for_staff_and_checks_placeholders(
    client, subdistrict_admin, secretary_a, village_a
):
    evaluate.rules_ensure()
    rule = Rule.objects.get(key="contract_expiring")
    client.force_login(secretary_a)
    assert client.get(RULES).status_code == 403
    assert "提醒规则" not in client.get(INBOX).content.decode()  # no link to a 403
    client.force_login(subdistrict_admin)
    page = client.get(RULES).content.decode()
    assert "合同即将到期" in page and "提前天数：60" in page
    url = reverse("notifications:rule", args=[rule.pk])
    data = {
        "enabled": "on",
        "threshold": 30,
        "title": "{village}合同{ends_on}到期",
        "text": "{nope}",
    }
    response = client.post(url, data)
    assert "正文：未知的占位符 {nope}" in response.content.decode()
    response = client.post(url, {**data, "text": "合同{contract}将于{ends_on}到期"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.threshold, rule.text) == (30, "合同{contract}将于{ends_on}到期")
    response = client.post(url, {**data, "title": "坏{", "text": "x"})
    assert "标题：花括号不成对" in response.content.decode()


def test_an_edited_timing_is_used_by_the_next_run(subdistrict_admin, village_a):
    from decimal import Decimal

    from collective_economy.models import Contract

    evaluate.rules_ensure()
    Contract.objects.create(
        village=village_a,
        title="店面租赁",
        kind="lease",
        counterparty="超市",
        amount=Decimal("1.00"),
        starts_on=dt.date(2024, 1, 1),
        ends_on=clock.today() + dt.timedelta(days=45),
    )
    Rule.objects.filter(key="contract_expiring").update(threshold=30)
    evaluate.evaluate_all()
    assert not Notification.objects.filter(rule__key="contract_expiring").exists()
    Rule.objects.filter(key="contract_expiring").update(threshold=60)
    evaluate.evaluate_all()
    assert Notification.objects.filter(rule__key="contract_expiring").exists()


def test_the_beat_schedule_runs_the_jobs():
    from jinhu.schedules import BEAT_SCHEDULE

    tasks = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {"notifications.evaluate", "notifications.send_due"} <= tasks


def test_the_tasks_run(secretary_a, village_a):
    from notifications import tasks

    _finding(village_a)
    assert tasks.evaluate_rules.delay().get()["finding_assigned"] == 1
    assert Notification.objects.filter(rule__key="finding_assigned", recipient=secretary_a)
    assert tasks.send_due.delay().get()["sent"] == 0
