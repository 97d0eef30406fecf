"""The request type of pages behind ``login_required``: its user is a signed-in ``User``
(for the type checker; Django's own ``HttpRequest.user`` may be anonymous)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthedRequest(HttpRequest):
    user: User
