"""Notifications: the rules (data administrators edit), the notices in each person's
inbox, and the outgoing channels with their delivery log."""

from notifications.models.channels import Channel, Delivery, DeliveryStatus
from notifications.models.inbox import Notification
from notifications.models.rules import Audience, Rule

__all__ = ["Audience", "Channel", "Delivery", "DeliveryStatus", "Notification", "Rule"]
