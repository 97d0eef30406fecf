"""Accounts: forced password changes, two-factor sign-in (django-otp: TOTP in an
authenticator app, plus one-time backup codes), and session limits.

- Two-factor is required for sub-district staff and administrators (they see every
  village) when ``JINHU_TWO_FACTOR_REQUIRED`` (default on), optional for everyone else;
  whoever has enrolled is always asked for a code.
- A password set by an administrator (a new account, a reset) must be changed at the
  next sign-in; the person's own change clears that.
- Sessions end after ``JINHU_IDLE_TIMEOUT_MINUTES`` without a request, and in any case
  ``JINHU_SESSION_MAX_HOURS`` after sign-in (``villages.middleware.AccountMiddleware``).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

from jinhu.core import clock

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.base import SessionBase
    from django_otp.models import Device
    from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODES = 10
#: session keys
SIGNED_IN_AT, LAST_SEEN = "jinhu_signed_in_at", "jinhu_last_seen"
NEW_BACKUP_CODES = "jinhu_new_backup_codes"
OWED = "jinhu_owed"


def owed_at_sign_in(user: User) -> dict[str, Any]:
    """What a sign-in must still do before the portal opens: give a code ("verify"),
    enrol ("setup") or neither; and change a password an administrator set."""
    if enrolled(user):
        second_factor = "verify"
    elif two_factor_required(user):
        second_factor = "setup"
    else:
        second_factor = ""
    return {"second_factor": second_factor, "password": must_change_password(user)}


def settle(session: SessionBase, **done: bool) -> None:
    """Record in the session what the person has just done (``password=False``)."""
    owed = dict(session.get(OWED) or {})
    owed.update(done)
    session[OWED] = owed


# ---------------------------------------------------------------------------
# Passwords
# ---------------------------------------------------------------------------
def must_change_password(user: User) -> bool:
    from villages.models import AccountState

    return AccountState.objects.filter(user=user, must_change_password=True).exists()


def password_set_by_admin(user: User) -> None:
    """An administrator chose this password: its owner changes it at the next sign-in."""
    from villages.models import AccountState

    AccountState.objects.update_or_create(user=user, defaults={"must_change_password": True})


def password_changed(user: User) -> None:
    """The person changed their own password."""
    from villages.models import AccountState

    AccountState.objects.update_or_create(
        user=user, defaults={"must_change_password": False, "password_changed_at": clock.now()}
    )


# ---------------------------------------------------------------------------
# Two-factor
# ---------------------------------------------------------------------------
def two_factor_required(user: User) -> bool:
    return bool(
        settings.JINHU_TWO_FACTOR_REQUIRED
        and user.is_authenticated
        and (user.is_staff or user.is_superuser or user.has_perm("villages.view_all_villages"))
    )


def verified(user: User) -> bool:
    """Whether this sign-in has passed a second factor (django-otp's middleware sets it)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if is_verified is not None else False


def enrolled(user: User) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def enrolment_device(user: User) -> TOTPDevice:
    """The authenticator key being set up (a new unconfirmed device, kept until used)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key as people type it into an app: base32 in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return str(image.to_string(encoding="unicode"))


@transaction.atomic
def enrolment_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a code from the app; returns new backup codes, or None
    when the code is wrong (throttled by django-otp after repeated failures)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(token.strip()):
        return None
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return backup_codes_renew(user)


@transaction.atomic
def backup_codes_renew(user: User) -> list[str]:
    """Ten new one-time backup codes (the old ones stop working)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="备用验证码", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def verify(user: User, token: str) -> Device | None:
    """The device that accepts ``token`` (a 6-digit code or a backup code), or None.
    Each device throttles its own failures; ``throttled`` tells how long to wait."""
    from django_otp import verify_token
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    token = token.strip().replace(" ", "")
    model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    for device in model.objects.filter(user=user, confirmed=True):
        if verify_token(
            user, device.persistent_id, token.lower() if model is StaticDevice else token
        ):
            return device
    return None


def throttled_seconds(user: User) -> int:
    """Seconds to wait before another code is checked (0: none)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    wait = 0
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user, confirmed=True):
            allowed, data = device.verify_is_allowed()
            if not allowed and data and data.get("locked_until"):
                wait = max(wait, int((data["locked_until"] - clock.now()).total_seconds()) + 1)
    return wait


@transaction.atomic
def two_factor_remove(user: User) -> None:
    """Forget the user's authenticator and backup codes (an administrator's reset after a
    lost phone, or an optional user's own choice): they enrol again next time if needed."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def remaining_backup_codes(user: User) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())
