"""The registry everything hangs on.

Sub-district, villages and communities, party organisations, cadres and the terms
(换届届次) they serve in, and the users' scopes. This app imports no other domain app;
the others read it through ``villages.selectors``.
"""

from villages.models.access import (
    REVIEWER_ROLES,
    VILLAGE_ROLES,
    AccountState,
    AssignmentQuerySet,
    Profile,
    Role,
    VillageAssignment,
    role_of,
    sees_all_villages,
)
from villages.models.people import Cadre, CadrePosition, CadrePositionQuerySet
from villages.models.registry import PartyOrganization, SubDistrict, Term, Village, VillageQuerySet
from villages.models.scope import ScopedQuerySet

__all__ = [
    "REVIEWER_ROLES",
    "VILLAGE_ROLES",
    "AccountState",
    "AssignmentQuerySet",
    "Cadre",
    "CadrePosition",
    "CadrePositionQuerySet",
    "PartyOrganization",
    "Profile",
    "Role",
    "ScopedQuerySet",
    "SubDistrict",
    "Term",
    "Village",
    "VillageAssignment",
    "VillageQuerySet",
    "role_of",
    "sees_all_villages",
]
