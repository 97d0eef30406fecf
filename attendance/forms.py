from django import forms
from django.utils.translation import gettext_lazy as _

from attendance.models import AbsenceReport, DeviceCommand, DutyLogEntry, OutcomeState, PatrolCheck
from attendance.models.devices import DeviceKind
from attendance.models.rosters import DutyKind, Part, Weekday
from jinhu.core.forms import StyledFormMixin
from jinhu.core.upload_fields import TEXT, UploadField
from villages.selectors import Cadre, Village


class HolidayScheduleForm(StyledFormMixin, forms.Form):
    """A year's schedule as text or a small file: one line per day, ``日期,休/班,名称``."""

    text = forms.CharField(
        label=_("安排（每行一天：日期,休/班,名称）"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 8, "placeholder": "2027-02-06,休,春节\n2027-02-14,班,春节调休上班"}
        ),
    )
    file = UploadField(label=_("或上传文本/CSV 文件（UTF-8 或 GBK）"), policy=TEXT, required=False)
    note = forms.CharField(label=_("依据（通知文号）"), max_length=200)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        upload = data.get("file")
        if upload is not None:
            raw = upload.read()
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    data["text"] = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("请填写安排或上传文件。"))
        return data


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cadre) -> str:
        return obj.name


def _village_cadres(village):
    return Cadre.objects.filter(village=village, is_active=True).order_by("name")


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            from django.utils import timezone

            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class RotationForm(StyledFormMixin, forms.Form):
    weekday = forms.TypedChoiceField(label=_("星期"), choices=Weekday.choices, coerce=int)
    part = forms.ChoiceField(label=_("时段"), choices=Part.choices)
    kind = forms.ChoiceField(label=_("类型"), choices=DutyKind.choices, initial=DutyKind.SIT_IN)
    cadres = forms.ModelMultipleChoiceField(
        label=_("坐班干部"),
        queryset=Cadre.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示该时段不再排人。"),
    )
    effective_from = forms.DateField(label=_("生效日期"), widget=DateInput)

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadres"].queryset = _village_cadres(village)
        self.fields["cadres"].label_from_instance = lambda c: c.name


class SwapForm(StyledFormMixin, forms.Form):
    # By default the part each cadre is on duty that day (a whole day, a morning, …):
    # two all-day duties are swapped whole, whatever was last chosen here.
    part = forms.ChoiceField(
        label=_("时段"),
        choices=[("", _("按当天排班（自动）")), *Part.choices],
        required=False,
    )
    first_day = forms.DateField(label=_("第一天"), widget=DateInput)
    first_cadre = CadreChoiceField(label=_("第一天在班的干部"), queryset=Cadre.objects.none())
    second_day = forms.DateField(label=_("第二天"), widget=DateInput)
    second_cadre = CadreChoiceField(label=_("第二天在班的干部"), queryset=Cadre.objects.none())
    reason = forms.CharField(label=_("原因"), max_length=200)

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_cadre", "second_cadre"):
            self.fields[name].queryset = _village_cadres(village)


class OverrideForm(StyledFormMixin, forms.Form):
    day = forms.DateField(label=_("日期"), widget=DateInput)
    part = forms.ChoiceField(label=_("时段"), choices=Part.choices)
    original = CadreChoiceField(
        label=_("原排班干部"),
        queryset=Cadre.objects.none(),
        required=False,
        help_text=_("留空表示加派一人。"),
    )
    replacement = CadreChoiceField(
        label=_("替班干部"),
        queryset=Cadre.objects.none(),
        required=False,
        help_text=_("留空表示取消该干部的排班。"),
    )
    reason = forms.CharField(label=_("原因"), max_length=200)
    correction = forms.BooleanField(
        label=_("事后更正（仅街道工作人员，更正过去日期）"), required=False
    )

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("original", "replacement"):
            self.fields[name].queryset = _village_cadres(village)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not data.get("original") and not data.get("replacement"):
            raise forms.ValidationError(_("请至少选择原排班干部或替班干部之一。"))
        return data


class AbsenceForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = AbsenceReport
        fields = ["cadre", "kind", "starts_at", "ends_at", "destination", "reason"]
        widgets = {"starts_at": DateTimeInput, "ends_at": DateTimeInput}

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self.fields["cadre"].label_from_instance = lambda c: f"{c.village.name} · {c.name}"
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("kind") == "out" and not (data.get("destination") or "").strip():
            self.add_error("destination", _("外出办事须填写外出地点。"))
        return data

    def _post_clean(self):
        # Model validation runs in the service (which sets village and submitter).
        pass


class DecisionForm(StyledFormMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批意见"),
        choices=[("1", _("同意")), ("0", _("不同意"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("意见"), max_length=300, required=False)


class DutyLogForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = DutyLogEntry
        fields = [
            "cadre",
            "day",
            "kind",
            "people_count",
            "matter_type",
            "parties_count",
            "summary",
            "outcome",
        ]
        widgets = {"day": DateInput}

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = _village_cadres(village)
        self.fields["cadre"].label_from_instance = lambda c: c.name

    def _post_clean(self):
        pass  # validated by the service with the village and recorder set


class HandoverForm(StyledFormMixin, forms.Form):
    day = forms.DateField(label=_("日期"), widget=DateInput)
    from_cadre = CadreChoiceField(label=_("交班干部"), queryset=Cadre.objects.none())
    to_cadre = CadreChoiceField(label=_("接班干部"), queryset=Cadre.objects.none())
    notes = forms.CharField(label=_("交接事项"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("from_cadre", "to_cadre"):
            self.fields[name].queryset = _village_cadres(village)


class PatrolForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PatrolCheck
        fields = ["village", "checked_at", "method", "cadre", "result", "note", "photo"]
        widgets = {"checked_at": DateTimeInput}

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["cadre"].queryset = Cadre.objects.filter(
            village__in=villages, is_active=True
        ).select_related("village")
        self.fields["cadre"].label_from_instance = lambda c: f"{c.village.name} · {c.name}"
        self.fields["checked_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def _post_clean(self):
        pass


class FindingForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("确认意见"), max_length=300)


# ---------------------------------------------------------------------------
# Devices and their verdicts
# ---------------------------------------------------------------------------
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
        super().clean()
        data = self.cleaned_data
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
    # (As the device sent it: ZKTeco PINs and Hikvision employee numbers alike.)
    pin = forms.CharField(label=_("设备工号"), max_length=24, strip=True)
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


class PunchReviewForm(forms.Form):
    """Count a flagged punch (accept) or keep it out (reject)."""

    accept = forms.TypedChoiceField(
        choices=[("1", _("计入")), ("0", _("不计入"))], coerce=lambda v: v == "1"
    )


class QuarantineResolveForm(StyledFormMixin, forms.Form):
    """How a quarantined line was settled, in a sentence."""

    note = forms.CharField(
        label=_("处理说明"),
        max_length=200,
        help_text=_("例如：已在设备上核对，原记录已手工补录。"),
    )


class RejectDeviceForm(forms.Form):
    reason = forms.CharField(label=_("拒绝原因"), required=False, max_length=200)


class CorrectionDecisionForm(StyledFormMixin, forms.Form):
    """Approve or reject a requested correction of a verdict (a comment when rejecting)."""

    action = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("驳回"))])
    comment = forms.CharField(label=_("意见"), required=False, max_length=500)
