from django import forms
from django.utils.translation import gettext_lazy as _

from attendance.forms import CadreChoiceField, DateInput, DateTimeInput
from attendance.models import DeviceCommand, OutcomeState
from attendance.models.devices import DeviceKind
from jinhu.core.forms import StyledFormMixin
from villages.models import Cadre, Village


class RegisterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=DeviceKind.choices)
    village = forms.ModelChoiceField(label=_("村（社区）"), queryset=Village.objects.active())
    serial_number = forms.CharField(label=_("序列号（SN）"), required=False)
    mac_address = forms.CharField(label=_("MAC 地址"), required=False)
    name = forms.CharField(label=_("名称"), required=False)
    location = forms.CharField(label=_("安装位置"), required=False)
    time_zone = forms.CharField(label=_("时区"), initial="Asia/Shanghai")
    installed_on = forms.DateField(
        label=_("安装日期"),
        required=False,
        widget=DateInput,
        help_text=_("早于安装日期的打卡记录会送人工核实；不清楚可留空（不做此项检查）。"),
    )
    allowed_network = forms.CharField(label=_("允许的来源网段"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") != DeviceKind.CAMERA and not (
            data.get("serial_number") or data.get("mac_address")
        ):
            raise forms.ValidationError(_("考勤设备须填写序列号或 MAC 地址。"))
        return data


class ApproveForm(StyledFormMixin, forms.Form):
    """Approve a device that knocked: which village it belongs to, when it was installed."""

    village = forms.ModelChoiceField(
        label=_("归属村（社区）"),
        queryset=Village.objects.active(),
        empty_label=_("请选择设备所在的村（社区）"),
    )
    installed_on = forms.DateField(
        label=_("安装日期"),
        required=False,
        widget=DateInput,
        help_text=_("早于安装日期的打卡记录会送人工核实；不清楚可留空。"),
    )


class CommandForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("命令"), choices=DeviceCommand.Kind.choices)
    start = forms.DateTimeField(
        label=_("起始时间"),
        required=False,
        widget=DateTimeInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    end = forms.DateTimeField(
        label=_("结束时间"),
        required=False,
        widget=DateTimeInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class PinMapForm(StyledFormMixin, forms.Form):
    cadre = CadreChoiceField(label=_("对应干部"), queryset=Cadre.objects.none())

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = Cadre.objects.filter(village=village, is_active=True)


class CorrectionForm(StyledFormMixin, forms.Form):
    state = forms.ChoiceField(
        label=_("更正为"),
        choices=[c for c in OutcomeState.choices if c[0] not in ("pending", "unknown")],
    )
    reason = forms.CharField(label=_("更正原因"), max_length=300)
