"""Who may do what with notifications (scope is ``for_user``)."""

import rules

from villages.rules import is_secretary_of, is_staff_role

# The rules (on/off, timing, texts): sub-district staff and administrators.
rules.add_perm("notifications.manage_rules", is_staff_role | rules.is_superuser)
# A village group's channel: its secretary, or staff.
rules.add_perm(
    "notifications.manage_village_channels", is_staff_role | rules.is_superuser | is_secretary_of
)
