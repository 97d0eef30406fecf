from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from collective_economy.models import IncomeSource
from jinhu.core import clock
from jinhu.core.forms import StyledFormMixin
from jinhu.core.upload_fields import SPREADSHEET, UploadField


def money(label, required=True):
    return forms.DecimalField(
        label=label, max_digits=14, decimal_places=2, min_value=Decimal(0), required=required
    )


class MonthlyForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)
    operating_income = money(_("经营性收入（元）"))
    other_income = money(_("其他收入（元）"))
    expenses = money(_("支出（元）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = clock.today()
        self.fields["year"].initial = today.year
        self.fields["month"].initial = today.month
        for source in IncomeSource:
            self.fields[f"source_{source.value}"] = money(
                _("其中：%(s)s") % {"s": source.label}, required=False
            )
            self.fields[f"source_{source.value}"].widget.attrs["class"] = "form-control"

    def sources(self):
        values = {s.value: self.cleaned_data.get(f"source_{s.value}") for s in IncomeSource}
        values = {k: v for k, v in values.items() if v is not None}
        return values or None


class ImportForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("数据类型"), choices=[("monthly", _("月度收支")), ("annual", _("年度收支"))]
    )
    file = UploadField(label=_("文件（XLSX，或 UTF-8/GBK 编码的 CSV）"), policy=SPREADSHEET)
