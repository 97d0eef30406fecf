"""Separation of duties, asked of the rule itself.

Every permission is a ``rules`` predicate reached with ``user.has_perm(...)``, except the
few that keep two people apart (the person who asked is not the one who approves; one
person decides one tier). Django's ``has_perm`` says yes to any active superuser before
it asks a backend, so those are tested here, against the rule, with no such shortcut.
"""

from __future__ import annotations

from typing import Any

import rules


def rule_allows(permission: str, user: Any, obj: Any = None) -> bool:
    """Whether the ``rules`` permission ``permission`` holds for ``user`` and ``obj``."""
    return bool(rules.has_perm(permission, user, obj))
