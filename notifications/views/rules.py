"""提醒规则: administrators switch rules on or off and change their timing and texts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from jinhu.core.forms import apply_errors
from jinhu.core.requests import AuthedRequest
from notifications import selectors
from notifications.forms import RuleForm
from notifications.services import inbox as services


def _allowed(request: AuthedRequest) -> None:
    if not request.user.has_perm("notifications.manage_rules"):
        raise PermissionDenied


@login_required
def rule_list(request: AuthedRequest) -> HttpResponse:
    _allowed(request)
    return render(request, "notifications/rules.html", {"rules": selectors.rules_all()})


@login_required
def rule_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    _allowed(request)
    rule = get_object_or_404(selectors.rules_all(), pk=pk)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data}
        try:
            services.rule_update(actor=request.user, rule=rule, data=data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"规则“{rule.name}”已保存。")
            return redirect("notifications:rules")
    return render(request, "notifications/rule_form.html", {"rule": rule, "form": form})
