"""The targets import, keyed on village code (exports: ``demonstration_belt.exports``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from demonstration_belt.models import CreationPlan, Dimension, Target
from villages import selectors as village_selectors


class ScopedVillageWidget(widgets.ForeignKeyWidget):
    """The village column, keyed on the village code and limited to the importer's
    scope (an out-of-scope code is an error like an unknown one)."""

    def __init__(self, user=None):
        super().__init__(village_selectors.village_model(), field="code")
        self.user = user

    def get_queryset(self, value, row, *args, **kwargs):
        if self.user is None:  # (a system import: every village)
            return village_selectors.village_model().objects.all()
        return village_selectors.villages_for(self.user)

    def clean(self, value, row=None, **kwargs):
        code = str(value or "").strip()
        if not code:
            raise ValueError(_("村编码不能为空"))
        village = self.get_queryset(value, row).filter(code=code).first()
        if village is None:
            raise ValueError(_("村编码 %(c)s 不存在，或不在您的管理范围内") % {"c": code})
        return village


class ChoiceWidget(widgets.Widget):
    """A choice by its Chinese label (or its code); exports the label."""

    def __init__(self, choices):
        self.by_label = {str(label): value for value, label in choices}
        self.values = {value for value, _label in choices}
        self.labels = {value: str(label) for value, label in choices}

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if text in self.values:
            return text
        if text in self.by_label:
            return self.by_label[text]
        raise ValueError(
            _("无效的取值：%(v)s（可选：%(c)s）") % {"v": text, "c": "、".join(self.by_label)}
        )

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value)


#: a text column; an empty cell (None from a workbook) is an empty text, never NULL
TEXT = widgets.CharWidget(allow_blank=True)


class TargetResource(resources.ModelResource):
    """Targets keyed on (village code, year, target code); the year's plan is created if new."""

    village = fields.Field(column_name="村编码", attribute="plan__village__code", readonly=True)
    year = fields.Field(column_name="年度", attribute="plan__year", readonly=True)
    code = fields.Field(column_name="目标编号", attribute="code", widget=TEXT)
    dimension = fields.Field(
        column_name="维度", attribute="dimension", widget=ChoiceWidget(Dimension.choices)
    )
    title = fields.Field(column_name="目标", attribute="title", widget=TEXT)
    measure = fields.Field(
        column_name="衡量方式", attribute="measure", widget=ChoiceWidget(Target.Measure.choices)
    )
    goal_value = fields.Field(
        column_name="目标值", attribute="goal_value", widget=widgets.DecimalWidget()
    )
    unit = fields.Field(column_name="单位", attribute="unit", widget=TEXT)
    weight = fields.Field(column_name="权重", attribute="weight", widget=widgets.DecimalWidget())
    due_on = fields.Field(
        column_name="完成期限", attribute="due_on", widget=widgets.DateWidget("%Y-%m-%d")
    )
    evidence_required = fields.Field(
        column_name="佐证材料", attribute="evidence_required", widget=TEXT
    )

    class Meta:
        model = Target
        fields = (
            "village",
            "year",
            "code",
            "dimension",
            "title",
            "measure",
            "goal_value",
            "unit",
            "weight",
            "due_on",
            "evidence_required",
        )
        export_order = fields
        import_id_fields = ("code",)
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.village_widget = ScopedVillageWidget(user)

    def _plan(self, row) -> CreationPlan:
        village = self.village_widget.clean(row.get("村编码"))
        try:
            year = int(str(row.get("年度") or "").strip())
        except ValueError:
            raise ValueError(_("年度不正确：%(v)s") % {"v": row.get("年度")}) from None
        theme = str(row.get("特色主题") or "").strip() or _("（待定）")
        plan, _created = CreationPlan.objects.get_or_create(
            village=village, year=year, defaults={"feature_theme": theme}
        )
        return plan

    def get_instance(self, instance_loader, row):
        plan = self._plan(row)
        return Target.objects.filter(plan=plan, code=str(row.get("目标编号") or "").strip()).first()

    def init_instance(self, row=None):
        return Target(plan=self._plan(row))
