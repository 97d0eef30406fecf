"""Login throttling in two levels, on top of django-axes.

- Per (user name, address): ``AXES_FAILURE_LIMIT`` failures lock that pair for the
  cool-off. A person who mistypes is stopped without stopping anyone else, and an
  attacker cannot lock a user out from another address.
- Per user name alone: once ``JINHU_LOGIN_USER_FAILURE_LIMIT`` failures (a higher
  number) have come from any addresses within the cool-off, the user name is locked
  whatever the address. Guessing spread over many addresses is bounded; the price,
  a user locked until the cool-off ends, is paid only under such an attack.

Axes compares one count against one limit, so the second level is expressed by
switching the lockout parameters for that user name to ``["username"]`` (whose count,
the sum over all addresses, is then far above ``AXES_FAILURE_LIMIT``). Addresses are
``REMOTE_ADDR`` after ``jinhu.core.middleware.TrustedProxyMiddleware``.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Sum

from jinhu.core import clock

PER_ADDRESS = [["username", "ip_address"]]
PER_USER = ["username"]


def user_failures(username: str) -> int:
    """Failures for this user name from every address within the cool-off."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.filter(username=username)
    if (cool_off := get_cool_off()) is not None:
        attempts = attempts.filter(attempt_time__gte=clock.now() - cool_off)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def lockout_parameters(request_or_attempt, credentials=None):
    """``AXES_LOCKOUT_PARAMETERS``: per address, or per user name past the higher limit."""
    username = (credentials or {}).get("username")
    if username is None and hasattr(request_or_attempt, "POST"):
        username = request_or_attempt.POST.get("username")
    if username is None:
        username = getattr(request_or_attempt, "username", None)  # (an AccessAttempt)
    if username and user_failures(username) >= settings.JINHU_LOGIN_USER_FAILURE_LIMIT:
        return PER_USER
    return PER_ADDRESS
