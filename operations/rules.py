"""Who may read the system's health: sub-district staff and administrators."""

import rules

from villages.rules import is_staff_role

rules.add_perm("operations.view_status", is_staff_role | rules.is_superuser)
