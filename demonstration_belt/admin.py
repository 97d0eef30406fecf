from django.contrib import admin

from demonstration_belt import models as m
from jinhu.core.admin import ScopedAdmin


class MembershipInline(admin.TabularInline):
    model = m.BeltMembership
    extra = 0


@admin.register(m.Belt)
class BeltAdmin(admin.ModelAdmin):
    list_display = ("name", "route", "starts_on", "ends_on")
    inlines = [MembershipInline]


class TargetInline(admin.TabularInline):
    model = m.Target
    extra = 0


@admin.register(m.CreationPlan)
class PlanAdmin(ScopedAdmin):
    list_display = ("village", "year", "feature_theme")
    list_filter = ("year",)
    inlines = [TargetInline]


class IndicatorInline(admin.TabularInline):
    model = m.Indicator
    extra = 0


@admin.register(m.Agreement)
class AgreementAdmin(ScopedAdmin):
    list_display = ("village", "year", "kind", "party_a", "party_b", "signed_on")
    list_filter = ("year", "kind")
    inlines = [IndicatorInline]


@admin.register(m.MonthlyReport)
class ReportAdmin(ScopedAdmin):
    list_display = ("village", "year", "month", "status", "due_on", "submitted_at")
    list_filter = ("status", "year", "month")

    def has_change_permission(self, request, obj=None):
        return False  # the workflow goes through the report page (services log it)


class FindingInline(admin.TabularInline):
    model = m.Finding
    extra = 0
    fk_name = "inspection"


@admin.register(m.Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("held_on", "title", "kind")
    inlines = [FindingInline]


@admin.register(m.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("held_on", "kind", "title", "host")
    list_filter = ("kind",)
    filter_horizontal = ("villages",)


for model in (m.Finding, m.Suggestion, m.PartyDayActivity, m.ServiceCenterCheck):
    admin.site.register(model, ScopedAdmin)
for model in (m.PartyDayMethod, m.CheckItem):
    admin.site.register(model)
