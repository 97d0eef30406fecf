"""Every signed-in request passes the account rules, in this order:

1. the session is still alive: not idle longer than ``JINHU_IDLE_TIMEOUT_MINUTES`` and
   not older than ``JINHU_SESSION_MAX_HOURS`` since sign-in (otherwise: signed out, told
   why, sent to sign in again);
2. two-factor: an enrolled person has given a code this session; a person for whom it
   is required (staff, administrators) has enrolled;
3. a password set by an administrator has been changed.

Pages needed to satisfy a rule (sign-out, the two-factor and password pages) and public
ones (the duty roster, health, static files) are let through. Installed after
``django_otp.middleware.OTPMiddleware`` and the message middleware.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from jinhu.core import clock
from villages.services import accounts

#: paths nobody needs to be fully signed in for
PUBLIC_PREFIXES = ("/static/", "/duty/", "/healthz/", "/robots.txt", "/favicon")
#: the pages that take a person through two-factor
TWO_FACTOR_PAGES = ("/accounts/two-factor/",)
PASSWORD_PAGES = ("/accounts/password/",)
SIGN_OUT = ("/accounts/logout/", "/accounts/login/")
#: a busy person's session is written at most this often (seconds)
TOUCH_EVERY = 60


class AccountMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        path = request.path
        if ended := self._session_ended(request):
            logout(request)
            messages.info(request, ended)
            return redirect(f"{reverse('login')}?next={quote(path)}")
        if path.startswith(PUBLIC_PREFIXES + SIGN_OUT):
            return self.get_response(request)
        # What this sign-in still owes, worked out once at sign-in (session_started);
        # the pages it leads to check the truth again.
        owed = request.session.get(accounts.OWED)
        if owed is None:
            owed = request.session[accounts.OWED] = accounts.owed_at_sign_in(user)
        if not path.startswith(TWO_FACTOR_PAGES) and not user.is_verified():
            if owed["second_factor"] == "verify":
                return redirect(f"{reverse('otp_verify')}?next={quote(path)}")
            if owed["second_factor"] == "setup":
                return redirect(f"{reverse('otp_setup')}?next={quote(path)}")
        if owed["password"] and not path.startswith(PASSWORD_PAGES + TWO_FACTOR_PAGES):
            messages.warning(request, "您的密码由管理员设置（或是首次登录），请先修改密码。")
            return redirect("password_change")
        return self.get_response(request)

    def _session_ended(self, request) -> str | None:
        session = request.session
        now = clock.now().timestamp()
        started = session.get(accounts.SIGNED_IN_AT)
        last = session.get(accounts.LAST_SEEN)
        if started is None or last is None:  # (a session from before these rules)
            session[accounts.SIGNED_IN_AT] = started or now
            session[accounts.LAST_SEEN] = now
            return None
        idle = settings.JINHU_IDLE_TIMEOUT_MINUTES * 60
        if now - last > idle:
            minutes = settings.JINHU_IDLE_TIMEOUT_MINUTES
            return f"您已 {minutes} 分钟没有操作，为保护数据已自动退出，请重新登录。"
        if now - started > settings.JINHU_SESSION_MAX_HOURS * 3600:
            hours = settings.JINHU_SESSION_MAX_HOURS
            return f"登录已满 {hours} 小时，为保护数据已自动退出，请重新登录。"
        if now - last >= TOUCH_EVERY:
            session[accounts.LAST_SEEN] = now
        return None


def session_started(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: the session's clocks start now, and what the sign-in still
    owes (a code, an enrolment, a new password) is worked out once."""
    now = clock.now().timestamp()
    request.session[accounts.SIGNED_IN_AT] = now
    request.session[accounts.LAST_SEEN] = now
    request.session[accounts.OWED] = accounts.owed_at_sign_in(user)
