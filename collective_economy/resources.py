"""Excel/CSV import and export (django-import-export), keyed on village codes.

Imports are for the figures a village accountant already keeps. Every row is
validated in one transaction (dry run first, errors shown with their row
numbers, nothing saved); a village code outside the importer's scope is an
error like an unknown one.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from collective_economy.models import AnnualAccount, MonthlyAccount
from villages.models import Village


class MoneyWidget(widgets.DecimalWidget):
    """Yuan with at most two decimals. Text is parsed straight to Decimal.

    XLSX stores numbers as binary floats, so numeric cells arrive from openpyxl
    as float; they are converted through their shortest repr (exact for any
    amount with two decimals) and refused if they carry more precision.
    """

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError(_("金额不能为空"))
        if isinstance(value, float):
            value = repr(value)
        text = (
            str(value)
            .strip()
            .replace(",", "")
            .replace("，", "")
            .replace("¥", "")
            .replace("￥", "")
            .replace("元", "")
        )
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("不是有效的金额：%(v)s") % {"v": value}) from None
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError(_("金额最多两位小数：%(v)s") % {"v": value})
        if amount < 0:
            raise ValueError(_("金额不能为负数：%(v)s") % {"v": value})
        return amount.quantize(Decimal("0.01"))


class ScopedVillageWidget(widgets.ForeignKeyWidget):
    def __init__(self, user=None):
        super().__init__(Village, field="code")
        self.user = user

    def get_queryset(self, value, row, *args, **kwargs):
        qs = Village.objects.all()
        return qs.for_user(self.user) if self.user is not None else qs

    def clean(self, value, row=None, **kwargs):
        code = str(value or "").strip()
        if not code:
            raise ValueError(_("村编码不能为空"))
        try:
            return self.get_queryset(value, row).get(code=code)
        except Village.DoesNotExist:
            raise ValueError(_("村编码 %(c)s 不存在，或不在您的管理范围内") % {"c": code}) from None


class _Scoped(resources.ModelResource):
    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.fields["village"].widget = ScopedVillageWidget(user)


class MonthlyAccountResource(_Scoped):
    village = fields.Field(column_name="村编码", attribute="village", widget=ScopedVillageWidget())
    year = fields.Field(column_name="年度", attribute="year", widget=widgets.IntegerWidget())
    month = fields.Field(column_name="月份", attribute="month", widget=widgets.IntegerWidget())
    operating_income = fields.Field(
        column_name="经营性收入（元）", attribute="operating_income", widget=MoneyWidget()
    )
    other_income = fields.Field(
        column_name="其他收入（元）", attribute="other_income", widget=MoneyWidget()
    )
    expenses = fields.Field(column_name="支出（元）", attribute="expenses", widget=MoneyWidget())
    village_name = fields.Field(column_name="村（社区）", attribute="village__name", readonly=True)

    class Meta:
        model = MonthlyAccount
        import_id_fields = ("village", "year", "month")
        fields = (
            "village",
            "village_name",
            "year",
            "month",
            "operating_income",
            "other_income",
            "expenses",
        )
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True
        use_transactions = True
        use_bulk = False


class AnnualAccountResource(_Scoped):
    village = fields.Field(column_name="村编码", attribute="village", widget=ScopedVillageWidget())
    year = fields.Field(column_name="年度", attribute="year", widget=widgets.IntegerWidget())
    total_income = fields.Field(
        column_name="总收入（元）", attribute="total_income", widget=MoneyWidget()
    )
    operating_income = fields.Field(
        column_name="经营性收入（元）", attribute="operating_income", widget=MoneyWidget()
    )
    other_income = fields.Field(
        column_name="其他收入（元）", attribute="other_income", widget=MoneyWidget()
    )
    expenses = fields.Field(column_name="总支出（元）", attribute="expenses", widget=MoneyWidget())
    per_capita_net_income = fields.Field(
        column_name="农民人均纯收入（元）", attribute="per_capita_net_income", widget=MoneyWidget()
    )
    is_final = fields.Field(
        column_name="已决算", attribute="is_final", widget=widgets.BooleanWidget()
    )
    village_name = fields.Field(column_name="村（社区）", attribute="village__name", readonly=True)

    class Meta:
        model = AnnualAccount
        import_id_fields = ("village", "year")
        fields = (
            "village",
            "village_name",
            "year",
            "total_income",
            "operating_income",
            "other_income",
            "expenses",
            "per_capita_net_income",
            "is_final",
        )
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True
        use_transactions = True
        use_bulk = False


RESOURCES = {"monthly": MonthlyAccountResource, "annual": AnnualAccountResource}
