from django.contrib import admin

from collective_economy import models as m
from jinhu.core.admin import ReadOnlyAdmin, ScopedAdmin


@admin.register(m.Thresholds)
class ThresholdsAdmin(admin.ModelAdmin):
    list_display = ("year", "min_total_income", "min_operating_income")


class IncomeLineInline(admin.TabularInline):
    model = m.IncomeLine
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Accounts are entered and imported on the economy pages (the services check the sources
# against the totals, refuse future months and keep imports all-or-nothing).
@admin.register(m.MonthlyAccount)
class MonthlyAccountAdmin(ReadOnlyAdmin):
    list_display = ("village", "year", "month", "operating_income", "other_income", "expenses")
    list_filter = ("year", "village")
    inlines = [IncomeLineInline]


@admin.register(m.AnnualAccount)
class AnnualAccountAdmin(ReadOnlyAdmin):
    list_display = (
        "village",
        "year",
        "total_income",
        "operating_income",
        "per_capita_net_income",
        "is_final",
    )
    list_filter = ("year", "is_final", "village")


for model in (m.Fund, m.Asset, m.Resource, m.CleanupItem):
    admin.site.register(model, ScopedAdmin)


class PaymentInline(admin.TabularInline):
    model = m.ContractPayment
    extra = 0


@admin.register(m.Contract)
class ContractAdmin(ScopedAdmin):
    list_display = ("title", "village", "counterparty", "amount", "starts_on", "ends_on")
    list_filter = ("kind", "village")
    inlines = [PaymentInline]


class MilestoneInline(admin.TabularInline):
    model = m.ProjectMilestone
    extra = 0


@admin.register(m.Project)
class ProjectAdmin(ScopedAdmin):
    list_display = ("name", "village", "investment", "expected_annual_income", "status")
    inlines = [MilestoneInline]
