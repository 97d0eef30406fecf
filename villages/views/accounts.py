"""The person's own account pages: overview, password change, two-factor set-up,
sign-in with a code, backup codes (villages.services.accounts has the rules)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jinhu.core.forms import StyledFormMixin
from jinhu.core.requests import AuthedRequest
from villages.services import accounts, audit


class CodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@login_required
def account(request: AuthedRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "enrolled": accounts.enrolled(user),
            "required": accounts.two_factor_required(user),
            "backup_left": accounts.remaining_backup_codes(user),
        },
    )


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("account")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs["class"] = "form-control"
        return form

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.password_changed(cast(User, self.request.user))
        accounts.settle(self.request.session, password=False)
        messages.success(self.request, _("密码已修改。"))
        return response


@login_required
def otp_setup(request: AuthedRequest) -> HttpResponse:
    """Add the key to an authenticator app (QR code or typed), confirm with a code."""
    user = request.user
    if accounts.enrolled(user) and not accounts.verified(user):
        return redirect(f"{reverse_lazy('otp_verify')}?next={_next(request)}")
    device = accounts.enrolment_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = accounts.enrolment_confirm(
            user=user, device=device, token=form.cleaned_data["code"]
        )
        if codes is None:
            form.add_error(
                "code", _("验证码不正确：请确认手机时间准确，输入应用里当前显示的 6 位数字。")
            )
        else:
            device.refresh_from_db()
            from django_otp import login as otp_login

            otp_login(request, device)
            request.session[accounts.NEW_BACKUP_CODES] = codes
            messages.success(request, _("两步验证已开启。请保存下面的备用验证码。"))
            return redirect(f"{reverse_lazy('otp_backup_codes')}?next={_next(request)}")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr": accounts.qr_svg(device),
            "secret": accounts.secret_text(device),
            "required": accounts.two_factor_required(user),
            "next": _next(request),
        },
    )


@login_required
def otp_verify(request: AuthedRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a backup code."""
    user = request.user
    if accounts.verified(user):
        return redirect(_next(request))
    if not accounts.enrolled(user):
        return redirect(f"{reverse_lazy('otp_setup')}?next={_next(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = accounts.throttled_seconds(user)
        device = None if wait else accounts.verify(user, form.cleaned_data["code"])
        if device is not None:
            from django_otp import login as otp_login

            otp_login(request, device)
            if device.__class__.__name__ == "StaticDevice":
                left = accounts.remaining_backup_codes(user)
                messages.warning(request, _("已使用一个备用验证码，还剩 %(n)d 个。") % {"n": left})
            return redirect(_next(request))
        audit.sign_in_record(user=user, request=request, ok=False, reason="两步验证码错误")
        wait = accounts.throttled_seconds(user)
        form.add_error(
            "code",
            _("验证码不正确或已用过。")
            + (_("尝试过于频繁，请 %(s)d 秒后再试。") % {"s": wait} if wait else ""),
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
def otp_backup_codes(request: AuthedRequest) -> HttpResponse:
    """New backup codes are shown once; a verified person may renew them."""
    user = request.user
    if request.method == "POST":
        if not accounts.verified(user):
            return redirect("otp_verify")
        request.session[accounts.NEW_BACKUP_CODES] = accounts.backup_codes_renew(user)
        messages.success(request, _("已生成新的备用验证码，旧的已作废。"))
        return redirect("otp_backup_codes")
    codes = request.session.pop(accounts.NEW_BACKUP_CODES, None)
    return render(
        request,
        "accounts/otp_backup_codes.html",
        {"codes": codes, "left": accounts.remaining_backup_codes(user), "next": _next(request)},
    )


@login_required
def otp_disable(request: AuthedRequest) -> HttpResponse:
    """Optional users may switch two-factor off again (with a current code)."""
    user = request.user
    if accounts.two_factor_required(user) or not accounts.enrolled(user):
        return redirect("account")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if accounts.verify(user, form.cleaned_data["code"]) is None:
            form.add_error("code", _("验证码不正确。"))
        else:
            accounts.two_factor_remove(user)
            messages.success(request, _("两步验证已关闭。"))
            return redirect("account")
    return render(request, "accounts/otp_disable.html", {"form": form})
