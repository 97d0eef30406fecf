from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jinhu.core.forms import ScopedChoicesMixin, StyledFormMixin
from jinhu.core.perms import rule_allows
from notifications import selectors
from notifications.core import robots
from notifications.core.catalogue import facts_of
from notifications.models import Channel, Rule
from notifications.services import send
from villages.selectors import Village


class ChannelForm(ScopedChoicesMixin, StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=40, help_text=_("例如：虹桥村两委群"))
    kind = forms.ChoiceField(label=_("类型"), choices=Channel.Kind.choices)
    village = forms.ModelChoiceField(
        label=_("发到村（社区）群"),
        queryset=Village.objects.all(),
        required=False,
        empty_label=_("不发到村群：只发给我自己"),
        help_text=_("选一个村：该村干部都会收到的提醒，发到这个群。"),
    )
    webhook = forms.CharField(
        label=_("机器人地址"),
        max_length=400,
        required=False,
        help_text=_("群设置 → 群机器人 → 复制地址（钉钉或企业微信群机器人）。"),
    )
    secret = forms.CharField(
        label=_("加签密钥"),
        max_length=128,
        required=False,
        help_text=_("钉钉机器人安全设置选“加签”时给出的密钥。"),
    )
    address = forms.EmailField(label=_("邮箱地址"), required=False)
    rules = forms.ModelMultipleChoiceField(
        label=_("提醒类型"),
        queryset=Rule.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则发送全部可收到的提醒。"),
    )
    mode = forms.ChoiceField(label=_("发送方式"), choices=Channel.Mode.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.user = user
        villages = self.fields["village"]
        managed = [
            v.pk
            for v in villages.queryset.active()
            if rule_allows("notifications.manage_village_channels", user, v)
        ]
        villages.queryset = villages.queryset.filter(pk__in=managed)
        village = self.data.get("village") if self.is_bound else None
        self.fields["rules"].queryset = selectors.rules_for_channel(user, village or None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == Channel.Kind.EMAIL:
            if not send.email_configured():
                self.add_error("kind", _("本平台未配置邮件服务器，暂不能用电子邮件接收提醒。"))
            if not data.get("address"):
                self.add_error("address", _("电子邮件通道须填写邮箱地址。"))
            data["token"] = ""
        elif kind in (Channel.Kind.DINGTALK, Channel.Kind.WECOM):
            api = settings.JINHU_DINGTALK_API if kind == "dingtalk" else settings.JINHU_WECOM_API
            try:
                data["token"] = robots.token_from_webhook(kind, data.get("webhook", ""), api)
            except robots.RobotError as exc:
                self.add_error("webhook", str(exc))
            if kind == Channel.Kind.WECOM:
                data["secret"] = ""
            data["address"] = ""
        return data


class RuleForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["enabled", "threshold", "title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rule = self.instance
        offered = "、".join(f"{{{f}}}" for f in facts_of(rule.key))
        self.fields["text"].help_text = f"可用的占位符：{offered}" if offered else ""
        self.fields["threshold"].label = rule.threshold_label or _("时间/阈值（本规则不用）")
        if not rule.threshold_label:
            self.fields["threshold"].disabled = True
