from django.contrib import admin

from attendance import models as m
from attendance.services import devices as device_services
from attendance.services import rosters as roster_services
from jinhu.core.admin import ReadOnlyAdmin, ScopedAdmin


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

    def save_model(self, request, obj, form, change):
        # New hours reach the materialised slots and the public page (the service).
        roster_services.duty_rules_save(actor=request.user, rules=obj)

    def has_delete_permission(self, request, obj=None):
        return False


# Holidays are entered on the 节假日安排 page (schedule_save re-materialises the slots
# and re-judges the days whose arrangement changed).
@admin.register(m.HolidayOverride)
class HolidayOverrideAdmin(ReadOnlyAdmin):
    list_display = ("day", "name", "is_workday", "village")
    list_filter = ("is_workday", "village")
    date_hierarchy = "day"


@admin.register(m.HolidayArrangement)
class HolidayArrangementAdmin(ReadOnlyAdmin):
    list_display = ("year", "confirmed_by", "confirmed_at", "note")


# Rosters change on the roster page: rotation_set and override_create materialise the
# slots, bump the public page's cache and re-judge what they touch.
@admin.register(m.RotationEntry)
class RotationEntryAdmin(ReadOnlyAdmin):
    list_display = ("village", "cadre", "weekday", "part", "kind", "valid_from", "valid_until")
    list_filter = ("village", "weekday", "part", "kind")


@admin.register(m.RosterOverride)
class RosterOverrideAdmin(ReadOnlyAdmin):
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


@admin.register(m.DutySlot)
class DutySlotAdmin(ReadOnlyAdmin):  # computed from rotation and overrides
    list_display = ("village", "day", "part", "kind", "cadre", "starts_at", "ends_at")
    list_filter = ("village", "kind", "part")
    date_hierarchy = "day"


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


# Reports, approvals, the duty log and patrols are recorded on their pages; a status
# changed here would skip re-judging the slots and the public page.
@admin.register(m.AbsenceReport)
class AbsenceReportAdmin(ReadOnlyAdmin):
    list_display = ("cadre", "village", "kind", "starts_at", "ends_at", "status")
    list_filter = ("status", "kind", "village")
    inlines = [ApprovalInline]


@admin.register(m.DutyLogEntry)
class DutyLogEntryAdmin(ReadOnlyAdmin):
    list_display = ("day", "village", "cadre", "kind", "people_count", "matter_type", "outcome")
    list_filter = ("kind", "village", "matter_type")
    date_hierarchy = "day"


@admin.register(m.DutyHandover)
class DutyHandoverAdmin(ReadOnlyAdmin):
    list_display = ("day", "village", "from_cadre", "to_cadre")


@admin.register(m.PatrolCheck)
class PatrolCheckAdmin(ReadOnlyAdmin):
    list_display = ("checked_at", "village", "method", "cadre", "result", "checked_by")
    list_filter = ("result", "method", "village")


@admin.register(m.PatrolFinding)
class PatrolFindingAdmin(ReadOnlyAdmin):
    list_display = ("day", "village", "cadre", "confirmed_by")


# Devices are registered, approved and assigned on the device panel (the service parses
# the requests a pending device kept); here they can be read, rejected or retired.
@admin.register(m.Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "village", "kind", "status", "police_linked", "last_seen_at")
    list_filter = ("kind", "status", "police_linked", "village")
    search_fields = ("name", "serial_number", "mac_address")
    actions = ["reject", "retire"]

    def has_change_permission(self, request, obj=None):
        return obj is None  # (the list and its actions; no edit form)

    @admin.action(description="拒绝所选设备")
    def reject(self, request, queryset):
        for device in queryset:
            device_services.device_reject(actor=request.user, device=device, reason="管理后台拒绝")
        self.message_user(request, f"已拒绝 {len(queryset)} 台设备。")

    @admin.action(description="停用所选设备")
    def retire(self, request, queryset):
        for device in queryset:
            device_services.device_retire(actor=request.user, device=device)
        self.message_user(request, f"已停用 {len(queryset)} 台设备。")
