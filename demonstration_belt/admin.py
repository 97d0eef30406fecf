from django.contrib import admin

from demonstration_belt import models as m
from demonstration_belt.services import scores as score_services
from jinhu.core.admin import ReadOnlyAdmin, ScopedAdmin


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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A score is rendered from its facts with the agreement's indicators: after an
        # edit, the village's scores of that year are stale (the periodic rescore follows).
        score_services.agreement_changed(actor=request.user, agreement=form.instance)

    def has_delete_permission(self, request, obj=None):
        return False  # (its scores and reviewer scores hang on its indicators)


@admin.register(m.MonthlyReport)
class ReportAdmin(ReadOnlyAdmin):  # the workflow goes through the report page (services log it)
    list_display = ("village", "year", "month", "status", "due_on", "submitted_at")
    list_filter = ("status", "year", "month")


class FindingInline(admin.TabularInline):
    model = m.Finding
    extra = 0
    fk_name = "inspection"
    # A finding moves through rectification and re-check on the findings page
    # (finding_advance keeps the order of its states).
    readonly_fields = ("status",)


@admin.register(m.Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("held_on", "title", "kind")
    inlines = [FindingInline]


@admin.register(m.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("held_on", "kind", "title", "host")
    list_filter = ("kind",)
    filter_horizontal = ("villages",)


class TrackedAdmin(ScopedAdmin):
    """Findings and suggestions: their state moves on their pages (the services keep the
    order of the states and who may move them)."""

    readonly_fields = ("status",)


admin.site.register(m.Finding, TrackedAdmin)
admin.site.register(m.Suggestion, TrackedAdmin)
for model in (m.PartyDayActivity, m.ServiceCenterCheck):
    admin.site.register(model, ScopedAdmin)
admin.site.register(m.PartyDayMethod)
admin.site.register(m.CheckItem)
