from django.contrib import admin

from attendance import models as m
from jinhu.core.admin import ScopedAdmin


@admin.register(m.DutyRules)
class DutyRulesAdmin(ScopedAdmin):
    list_display = (
        "village",
        "summer_from",
        "winter_from",
        "late_grace_minutes",
        "early_grace_minutes",
        "min_on_duty",
    )


@admin.register(m.HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ("day", "name", "is_workday", "village")
    list_filter = ("is_workday", "village")
    date_hierarchy = "day"


@admin.register(m.HolidayArrangement)
class HolidayArrangementAdmin(admin.ModelAdmin):
    list_display = ("year", "confirmed_by", "confirmed_at", "note")

    def save_model(self, request, obj, form, change):
        obj.confirmed_by = request.user
        super().save_model(request, obj, form, change)

    def get_exclude(self, request, obj=None):
        return ("confirmed_by",)


@admin.register(m.RotationEntry)
class RotationEntryAdmin(ScopedAdmin):
    list_display = ("village", "cadre", "weekday", "part", "kind", "valid_from", "valid_until")
    list_filter = ("village", "weekday", "part", "kind")


@admin.register(m.RosterOverride)
class RosterOverrideAdmin(ScopedAdmin):
    list_display = (
        "village",
        "day",
        "part",
        "original_cadre",
        "replacement_cadre",
        "is_correction",
        "approved_by",
    )
    list_filter = ("village", "is_correction")
    date_hierarchy = "day"

    def has_change_permission(self, request, obj=None):
        return False  # changes go through the roster page (services validate them)


@admin.register(m.DutySlot)
class DutySlotAdmin(ScopedAdmin):
    list_display = ("village", "day", "part", "kind", "cadre", "starts_at", "ends_at")
    list_filter = ("village", "kind", "part")
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False  # computed from rotation and overrides

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.ApprovalTier)
class ApprovalTierAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "village",
        "kind",
        "max_days",
        "needs_secretary",
        "needs_instructor",
        "needs_staff",
    )


class ApprovalInline(admin.TabularInline):
    model = m.AbsenceApproval
    extra = 0
    can_delete = False
    readonly_fields = ("level", "approver", "approved", "comment", "decided_at")


@admin.register(m.AbsenceReport)
class AbsenceReportAdmin(ScopedAdmin):
    list_display = ("cadre", "village", "kind", "starts_at", "ends_at", "status")
    list_filter = ("status", "kind", "village")
    inlines = [ApprovalInline]


@admin.register(m.DutyLogEntry)
class DutyLogEntryAdmin(ScopedAdmin):
    list_display = ("day", "village", "cadre", "kind", "people_count", "matter_type", "outcome")
    list_filter = ("kind", "village", "matter_type")
    date_hierarchy = "day"


@admin.register(m.DutyHandover)
class DutyHandoverAdmin(ScopedAdmin):
    list_display = ("day", "village", "from_cadre", "to_cadre")


@admin.register(m.PatrolCheck)
class PatrolCheckAdmin(ScopedAdmin):
    list_display = ("checked_at", "village", "method", "cadre", "result", "checked_by")
    list_filter = ("result", "method", "village")


@admin.register(m.PatrolFinding)
class PatrolFindingAdmin(ScopedAdmin):
    list_display = ("day", "village", "cadre", "confirmed_by")


@admin.register(m.Device)
class DeviceAdmin(ScopedAdmin):
    list_display = ("__str__", "village", "kind", "status", "police_linked", "last_seen_at")
    list_filter = ("kind", "status", "police_linked", "village")
    search_fields = ("name", "serial_number", "mac_address")
