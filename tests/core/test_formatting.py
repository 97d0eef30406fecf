"""The one place numbers, money, dates and people are formatted: a test per filter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.template import Context, Template

from villages.templatetags import formatting as f

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("167082"), "167,082.00 元"),
        (D("65462.4000000000"), "65,462.40 元"),
        (182271, "182,271.00 元"),
        ("100000.005", "100,000.01 元"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_yuan(value, shown):
    assert f.yuan(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"), [(D("11.00"), "11"), (12345, "12,345"), (D("1.5"), "2"), (None, "—")]
)
def test_count(value, shown):
    assert f.count(value) == shown


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [(D("95"), 1, "95.0%"), (D("83.333"), 1, "83.3%"), (100, 0, "100%"), (None, 1, "—")],
)
def test_percent(value, digits, shown):
    assert f.percent(value, digits) == shown


def test_dates_in_one_chinese_style_and_local_time():
    late_utc = dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)  # 00:30 on 1 Dec in Shanghai
    assert f.cn_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    assert f.cn_date(late_utc) == "2026年12月1日"
    assert f.cn_datetime(late_utc) == "2026年12月1日 00:30"
    assert f.cn_date(None) == f.cn_datetime(None) == "—"


def test_people_by_name_never_login(db, secretary_a, subdistrict_admin):
    assert f.person(secretary_a) == "甲村书记"
    assert f.person_role(secretary_a) == "甲村书记（村书记）"
    assert f.person_role(subdistrict_admin) == "街道管理员（街道工作人员）"
    assert f.person(None) == "—"


@pytest.mark.parametrize(
    ("state", "css"),
    [("approved", "text-bg-success"), ("returned", "text-bg-warning"), ("x", "text-bg-secondary")],
)
def test_status_class(state, css):
    assert f.status_class(state) == css


def test_the_filters_need_no_load_in_templates():
    text = Template("{{ v|yuan }} {{ n|count }}").render(Context({"v": D("1.5"), "n": D("2.00")}))
    assert text == "1.50 元 2"


def test_an_empty_choice_says_what_to_pick(db):
    from django import forms as django_forms

    from jinhu.core.forms import StyledFormMixin
    from villages.models import Village

    class Form(StyledFormMixin, django_forms.Form):
        village = django_forms.ModelChoiceField(label="村（社区）", queryset=Village.objects.all())
        kind = django_forms.ChoiceField(label="类型", choices=[("", "---------"), ("a", "甲")])
        chosen = django_forms.ModelChoiceField(
            label="指标", queryset=Village.objects.all(), empty_label="全部"
        )

    html = str(Form())
    assert "---------" not in html
    assert "请选择村（社区）" in html and "请选择类型" in html and "全部" in html
