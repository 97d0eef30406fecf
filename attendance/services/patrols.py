"""Patrol spot-checks and the findings staff confirm from them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import PatrolCheck, PatrolFinding
from jinhu.core import clock
from jinhu.core.history import audit_actor
from villages.selectors import Cadre, Village


@transaction.atomic
def patrol_record(
    *,
    actor: User,
    village: Village,
    checked_at: dt.datetime,
    method: str,
    result: str,
    cadre: Cadre | None = None,
    note: str = "",
    photo: UploadedFile[Any] | None = None,
) -> PatrolCheck:
    if not actor.has_perm("attendance.record_patrol", village):
        raise PermissionDenied(_("您无权登记该村的巡查。"))
    if cadre is not None and cadre.village_id != village.pk:
        raise ValidationError({"cadre": _("该干部不属于被检查的村。")})
    if checked_at > clock.now():
        raise ValidationError({"checked_at": _("检查时间不能晚于现在。")})
    check = PatrolCheck(
        village=village,
        checked_at=checked_at,
        checked_by=actor,
        method=method,
        result=result,
        cadre=cadre,
        note=note.strip(),
        photo=photo or "",
    )
    check.full_clean()
    with audit_actor(actor):
        check.save()
    return check


@transaction.atomic
def finding_confirm(*, actor: User, check: PatrolCheck, reason: str) -> PatrolFinding:
    """Staff confirm that an unreported absence really happened."""
    if not actor.has_perm("attendance.confirm_finding", check):
        raise PermissionDenied(_("只有街道工作人员可以确认巡查问题。"))
    if not check.may_become_finding:
        raise ValidationError(_("只有“离岗（未报备）”或“未开门”的巡查结果才能确认为问题。"))
    if PatrolFinding.objects.filter(patrol=check).exists():
        raise ValidationError(_("该巡查记录已确认过。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写确认意见。")})
    with audit_actor(actor):
        return PatrolFinding.objects.create(
            patrol=check,
            village_id=check.village_id,
            cadre=check.cadre,
            day=timezone.localtime(check.checked_at).date(),
            confirmed_by=actor,
            reason=reason.strip(),
        )
