from django import forms
from django.utils.translation import gettext_lazy as _

from demonstration_belt.models import (
    Finding,
    Indicator,
    Meeting,
    PartyDayActivity,
    PartyDayMethod,
    Proposal,
    ReportItem,
    Suggestion,
    TrackedStatus,
)
from jinhu.core import upload_fields
from jinhu.core.forms import ScopedChoicesMixin, StyledFormMixin
from jinhu.core.upload_fields import UploadField


class ReportForm(StyledFormMixin, forms.Form):
    """The month's report: narrative, one row per target, and evidence files."""

    narrative = forms.CharField(
        label=_("本月工作情况"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"progress_{item.pk}"] = forms.ChoiceField(
                label=_("进度"),
                choices=ReportItem.Progress.choices,
                initial=item.progress,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"value_{item.pk}"] = forms.DecimalField(
                label=_("当前值"),
                required=False,
                max_digits=12,
                decimal_places=2,
                initial=item.value,
                widget=forms.NumberInput(
                    attrs={"class": "form-control form-control-sm", "step": "0.01"}
                ),
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("说明"),
                required=False,
                max_length=300,
                initial=item.note,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def item_rows(self):
        for item in self.items:
            yield (
                item,
                self[f"progress_{item.pk}"],
                self[f"value_{item.pk}"],
                self[f"note_{item.pk}"],
            )

    def item_data(self) -> dict:
        return {
            item.pk: {
                "progress": self.cleaned_data.get(f"progress_{item.pk}"),
                "value": self.cleaned_data.get(f"value_{item.pk}"),
                "note": self.cleaned_data.get(f"note_{item.pk}", ""),
            }
            for item in self.items
        }


class CommentForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FindingForm(StyledFormMixin, forms.Form):
    to = forms.ChoiceField(label=_("变更为"), choices=TrackedStatus.choices)
    rectification = forms.CharField(
        label=_("整改情况"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = UploadField(label=_("整改佐证"), policy=upload_fields.DOCUMENT, required=False)


class SuggestionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Suggestion
        fields = ["status", "reply", "decline_reason"]
        widgets = {"reply": forms.Textarea(attrs={"rows": 2})}


class ImportForm(StyledFormMixin, forms.Form):
    file = UploadField(
        label=_("目标表（XLSX，或 UTF-8/GBK 编码的 CSV）"), policy=upload_fields.SPREADSHEET
    )


class _VillageScopedForm(ScopedChoicesMixin, StyledFormMixin, forms.ModelForm):
    """A record form whose choices (villages, meetings, inspections) are the user's own
    (staff: all), and whose villages are the active ones."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if "village" in self.fields:
            self.fields["village"].queryset = self.fields["village"].queryset.filter(is_active=True)


class PartyDayForm(_VillageScopedForm):
    class Meta:
        model = PartyDayActivity
        fields = ["village", "held_on", "theme", "methods", "attendance", "members_total", "photo"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "methods": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["methods"].queryset = PartyDayMethod.objects.filter(active=True)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if (
            data.get("attendance")
            and data.get("members_total")
            and (data["attendance"] > data["members_total"])
        ):
            self.add_error("attendance", _("参加人数不能多于应到党员。"))
        return data


class SuggestionCreateForm(_VillageScopedForm):
    class Meta:
        model = Suggestion
        fields = ["village", "source", "proposer", "anonymous", "content", "received_on", "due_on"]
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}),
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "content": forms.Textarea(attrs={"rows": 3}),
        }


class FindingCreateForm(_VillageScopedForm):
    class Meta:
        model = Finding
        fields = ["village", "inspection", "meeting", "description", "owner", "deadline"]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"})}


class MeetingForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "title", "held_on", "host", "villages", "minutes", "decisions", "photo"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "villages": forms.CheckboxSelectMultiple,
            "minutes": forms.Textarea(attrs={"rows": 3}),
            "decisions": forms.Textarea(attrs={"rows": 2}),
        }


# ---------------------------------------------------------------------------
# Scores: reviewer scores, award proposals and 约谈
# ---------------------------------------------------------------------------
class ReviewerScoreForm(StyledFormMixin, forms.Form):
    """A reviewer's score for one indicator of the village's agreement (``enter``), or the
    second person's approval of it (``approve``, naming the entry they were shown)."""

    action = forms.ChoiceField(
        choices=[("enter", _("评分")), ("approve", _("审定"))], required=False, initial="enter"
    )
    indicator = forms.ModelChoiceField(label=_("指标"), queryset=Indicator.objects.none())
    score = forms.DecimalField(label=_("评分"), required=False, max_digits=7, decimal_places=2)
    reason = forms.CharField(label=_("理由"), required=False, max_length=500)
    entry = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, village, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(
            agreement__village=village, agreement__year=year
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        data["action"] = data.get("action") or "enter"
        if data["action"] == "enter" and data.get("score") is None and "score" not in self.errors:
            self.add_error("score", _("请填写评分。"))
        return data


class ProposalDecisionForm(StyledFormMixin, forms.Form):
    """Confirm or reject an award or 约谈 proposal (with the reason)."""

    proposal = forms.ModelChoiceField(label=_("建议"), queryset=Proposal.objects.none())
    action = forms.ChoiceField(choices=[("confirm", _("确认")), ("reject", _("不采纳"))])
    reason = forms.CharField(label=_("理由"), required=False, max_length=500)

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = proposals


class AdmonishmentForm(StyledFormMixin, forms.Form):
    """The 约谈 held on a confirmed proposal: who, when, which issues, and the items to
    rectify (one per line, all due by the deadline)."""

    proposal = forms.ModelChoiceField(label=_("建议"), queryset=Proposal.objects.none())
    held_on = forms.DateField(label=_("约谈日期"), widget=forms.DateInput(attrs={"type": "date"}))
    interviewer = forms.CharField(label=_("约谈人"), max_length=64)
    interviewees = forms.CharField(label=_("被约谈人"), max_length=200)
    issues = forms.CharField(label=_("存在问题"), widget=forms.Textarea(attrs={"rows": 3}))
    items = forms.CharField(
        label=_("整改事项（每行一项）"), widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateField(label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = proposals

    def clean_items(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["items"].splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise forms.ValidationError(_("请至少填写一项整改事项。"))
        return lines
