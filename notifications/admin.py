"""Rules are edited on the portal's own page (with their placeholders checked); here
administrators see everything, and the machine records read-only."""

from django.contrib import admin

from jinhu.core.admin import ReadOnlyAdmin
from notifications.models import Channel, Delivery, Notification, Rule


@admin.register(Rule)
class RuleAdmin(ReadOnlyAdmin):
    list_display = ("name", "enabled", "threshold", "threshold_label", "evaluated_at")


@admin.register(Channel)
class ChannelAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "owner", "village", "mode", "active", "failures")
    list_filter = ("kind", "active")
    exclude = ("token", "secret")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "title", "status", "attempts", "sent_at")
    list_filter = ("status",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "title", "read_at")
    list_filter = ("rule",)
