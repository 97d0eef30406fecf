"""Demo data for the duty system: rules, rotations, a year of duty log, patrols.

Idempotent: rows are keyed on natural keys, and bulk demo history (the duty
log) is only generated for a village that has none yet.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from attendance.models import (
    AbsenceApproval,
    AbsenceReport,
    ApprovalTier,
    Device,
    DutyLogEntry,
    DutyRules,
    PatrolCheck,
    PatrolFinding,
    RosterOverride,
    RotationEntry,
)
from attendance.models.absences import ApprovalLevel
from attendance.models.devices import DeviceKind, DeviceStatus
from attendance.models.dutylog import EntryKind, MatterOutcome, MatterType
from attendance.selectors import HORIZON_DAYS
from attendance.services.rosters import slots_materialize
from jinhu.core import clock
from villages.selectors import Cadre, CadrePosition, Village

ROTATION_START = dt.date(2025, 11, 3)
HISTORY_DAYS = 60  # materialised past slots, for a month or two of attendance

MATTERS = {
    MatterType.CERTIFICATE: ["开具居住证明", "开具家庭经济状况证明", "开具亲属关系证明"],
    MatterType.POLICY: ["咨询新农合缴费政策", "咨询高龄补贴申领", "咨询宅基地审批流程"],
    MatterType.SOCIAL_SECURITY: ["代办城乡居民养老保险", "医保报销材料初审"],
    MatterType.LAND_HOUSING: ["土地确权信息核对", "危房改造申请受理"],
    MatterType.LIVELIHOOD: ["低保申请材料受理", "困难群众临时救助登记", "路灯报修"],
    MatterType.OTHER: ["垃圾清运协调", "党员组织关系转接"],
}
DISPUTES = [
    "邻里宅基地界址纠纷",
    "家庭赡养纠纷",
    "土地承包流转纠纷",
    "噪音扰民纠纷",
    "停车位占用纠纷",
    "工钱结算纠纷",
]
VISITS = ["群众来访咨询", "反映村道破损", "了解村务公开情况", "建议增设健身器材"]


@transaction.atomic
def load(stdout=None) -> None:
    today = clock.today()
    _tiers()
    secretaries = _secretary_users()
    villages = list(Village.objects.filter(is_demo=True).order_by("sort_order"))
    for index, village in enumerate(villages):
        DutyRules.objects.get_or_create(
            village=village, defaults={"min_on_duty": 2, "late_grace_minutes": 10}
        )
        cadres = list(Cadre.objects.filter(village=village, is_active=True).order_by("pk"))
        _rotation(village, cadres)
        slots_materialize(
            village=village,
            start=today - dt.timedelta(days=HISTORY_DAYS),
            end=today + dt.timedelta(days=HORIZON_DAYS),
            include_started=True,
        )
        _cameras(village, index)
        user = secretaries.get(village.pk)
        if user is not None:
            _duty_log(village, cadres, user, today, random.Random(1000 + index))
    _showcase(villages, secretaries, today)
    tokens = _devices(villages)
    _simulate(tokens, stdout)
    if stdout:
        stdout.write(
            f"  duty: rotations, slots {HISTORY_DAYS} days back and {HORIZON_DAYS} ahead, "
            f"{DutyLogEntry.objects.count()} duty-log entries"
        )


def _devices(villages: list[Village]) -> dict[int, str]:
    """A fingerprint clock in every village office, a face terminal in 虹桥村; PINs mapped."""
    from attendance.models import PinMapping
    from attendance.services.devices import device_register

    tokens = {}
    for index, village in enumerate(villages, start=1):
        serial = f"JH{index:02d}{village.code.upper()[:8]}"
        clock, _token = device_register(
            actor=None,
            kind=DeviceKind.ZK_CLOCK,
            village=village,
            serial_number=serial,
            name=f"{village.name}指纹考勤机",
            location="村委会值班室",
            installed_on=dt.date(2025, 6, 1),
        )
        devices = [clock]
        if village.code == "hongqiao":
            terminal, token = device_register(
                actor=None,
                kind=DeviceKind.HIK_TERMINAL,
                village=village,
                mac_address="c0:56:e3:12:34:56",
                name="虹桥村便民服务大厅人脸终端",
                location="便民服务大厅",
                installed_on=dt.date(2025, 6, 1),
            )
            devices.append(terminal)
            if token:
                tokens[terminal.pk] = token
        cadres = Cadre.objects.filter(village=village, is_active=True).order_by("pk")
        for device in devices:
            for n, cadre in enumerate(cadres, start=1):
                PinMapping.objects.get_or_create(
                    device=device, pin=str(1000 + n), defaults={"cadre": cadre}
                )
    return tokens


def _simulate(tokens: dict[int, str], stdout) -> None:
    """A month of device traffic, played in-process through the real endpoints, once."""
    from attendance.demo import simulator
    from attendance.models import DeviceRequest
    from attendance.services import liveness
    from attendance.services.outcomes import outcomes_judge

    if DeviceRequest.objects.exists():
        return
    requests = simulator.build(days=30, hik_tokens=tokens)
    report = simulator.run(simulator.InProcessTransport(), requests)
    if stdout:
        stdout.write(f"  devices: simulated {report.sent} requests {report.statuses}")

    def judge_everything() -> None:
        # After the parse tasks (run on commit): judge every village's past month,
        # so that a village whose clock stayed silent shows "unknown", not "absent".
        today = clock.today()
        days = [today - dt.timedelta(days=n) for n in range(0, 31)]
        liveness.flush()
        for village in Village.objects.filter(is_demo=True):
            outcomes_judge(village, days)

    transaction.on_commit(judge_everything)


def _tiers() -> None:
    for max_days, instructor, staff in ((1, False, False), (3, True, False), (None, True, True)):
        ApprovalTier.objects.get_or_create(
            village=None,
            kind="",
            max_days=max_days,
            defaults={
                "needs_secretary": True,
                "needs_instructor": instructor,
                "needs_staff": staff,
            },
        )


def _secretary_users() -> dict[int, object]:
    users = (
        get_user_model()
        .objects.filter(village_assignments__role="secretary", username__startswith="shuji-")
        .values_list("village_assignments__village_id", "pk")
    )
    by_pk = get_user_model().objects.in_bulk([pk for _, pk in users])
    return {village_id: by_pk[pk] for village_id, pk in users}


def _rotation(village: Village, cadres: list[Cadre]) -> None:
    """Two cadres a full workday each, rotating; a Saturday-morning 值班."""
    n = len(cadres)
    for weekday in range(5):
        for k in (0, 1):
            RotationEntry.objects.get_or_create(
                village=village,
                cadre=cadres[(2 * weekday + k) % n],
                weekday=weekday,
                part="full",
                valid_from=ROTATION_START,
                defaults={"kind": "sit_in"},
            )
    RotationEntry.objects.get_or_create(
        village=village,
        cadre=cadres[3 % n],
        weekday=5,
        part="am",
        valid_from=ROTATION_START,
        defaults={"kind": "on_call"},
    )


def _cameras(village: Village, index: int) -> None:
    for n, location in enumerate(("村委会值班室", "便民服务大厅"), start=1):
        Device.objects.get_or_create(
            village=village,
            kind=DeviceKind.CAMERA,
            name=f"{village.name}{location}摄像机",
            defaults={
                "location": location,
                "status": DeviceStatus.ACTIVE,
                "police_linked": True,
                "platform_channel": f"JH-{index + 1:02d}-{n}",
                "installed_on": dt.date(2025, 6, 1),
            },
        )


def _duty_log(village, cadres, user, today, rng: random.Random) -> None:
    """A year of entries; this year's sub-district totals come out at the article's
    order (7,000+ visitors, 1,800+ matters, 100+ disputes)."""
    if DutyLogEntry.objects.filter(village=village).exists():
        return
    entries = []
    day = today - dt.timedelta(days=365)
    while day < today:
        if day.weekday() < 5:
            for _ in range(rng.choice((1, 2, 2, 3))):
                roll = rng.random()
                cadre = rng.choice(cadres)
                if roll < 0.022:
                    entries.append(
                        DutyLogEntry(
                            village=village,
                            cadre=cadre,
                            day=day,
                            kind=EntryKind.DISPUTE,
                            people_count=rng.choice((2, 2, 3, 4)),
                            parties_count=rng.choice((2, 2, 3)),
                            summary=rng.choice(DISPUTES),
                            outcome=rng.choice(
                                (
                                    MatterOutcome.MEDIATED,
                                    MatterOutcome.MEDIATED,
                                    MatterOutcome.PARTLY,
                                )
                            ),
                            recorded_by=user,
                        )
                    )
                elif roll < 0.422:
                    matter_type = rng.choice(list(MATTERS))
                    entries.append(
                        DutyLogEntry(
                            village=village,
                            cadre=cadre,
                            day=day,
                            kind=EntryKind.MATTER,
                            people_count=rng.choice((1, 1, 1, 2)),
                            matter_type=matter_type,
                            summary=rng.choice(MATTERS[matter_type]),
                            outcome=rng.choice(
                                (MatterOutcome.DONE, MatterOutcome.DONE, MatterOutcome.REFERRED)
                            ),
                            recorded_by=user,
                        )
                    )
                else:
                    entries.append(
                        DutyLogEntry(
                            village=village,
                            cadre=cadre,
                            day=day,
                            kind=EntryKind.VISIT,
                            people_count=rng.choice((1, 1, 2, 2, 2, 3)),
                            summary=rng.choice(VISITS),
                            recorded_by=user,
                        )
                    )
        day += dt.timedelta(days=1)
    DutyLogEntry.objects.bulk_create(entries, batch_size=1000)


def _showcase(villages: list[Village], secretaries: dict, today: dt.date) -> None:
    """A swap next week, a leave and an out-on-business report, patrol checks."""
    by_code = {v.code: v for v in villages}
    village = by_code.get("hongqiao")
    if village is None:
        return
    secretary_user = secretaries[village.pk]
    cadres = list(Cadre.objects.filter(village=village, is_active=True).order_by("pk"))
    staff = get_user_model().objects.get(username="admin")

    # An out-on-business report covering today, approved by the secretary.
    deputy = (
        CadrePosition.objects.current()
        .filter(village=village, title=CadrePosition.Title.PARTY_DEPUTY)
        .first()
    )
    if deputy and not AbsenceReport.objects.filter(cadre=deputy.cadre).exists():
        start = timezone.make_aware(dt.datetime.combine(today, dt.time(8, 30)))
        report = AbsenceReport.objects.create(
            village=village,
            cadre=deputy.cadre,
            kind="out",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=6),
            destination="街道便民服务中心",
            reason="代办群众医保转移手续",
            required_levels=[ApprovalLevel.SECRETARY],
            submitted_by=secretary_user,
            status=AbsenceReport.Status.APPROVED,
            decided_at=clock.now(),
        )
        AbsenceApproval.objects.create(
            report=report, level=ApprovalLevel.SECRETARY, approver=secretary_user, approved=True
        )
    # A three-day leave next week: needs the secretary and the instructor.
    member = cadres[-1]
    if not AbsenceReport.objects.filter(cadre=member).exists():
        start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=5), dt.time(8)))
        report = AbsenceReport.objects.create(
            village=village,
            cadre=member,
            kind="leave",
            starts_at=start,
            ends_at=start + dt.timedelta(days=2, hours=10),
            reason="家中老人住院陪护",
            required_levels=[ApprovalLevel.SECRETARY, ApprovalLevel.INSTRUCTOR],
            submitted_by=secretary_user,
        )
        AbsenceApproval.objects.create(
            report=report, level=ApprovalLevel.SECRETARY, approver=secretary_user, approved=True
        )

    # Patrol checks of the past weeks; one unreported absence confirmed as a finding.
    for days_ago, result, note in (
        (20, "at_post", "值班室有人，正在接待群众"),
        (12, "away_reported", "外出办事，已报备"),
        (6, "away_unreported", "值班时段值班室无人，电话无人接听"),
    ):
        checked_at = timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(10, 15))
        )
        check, _created = PatrolCheck.objects.get_or_create(
            village=village,
            checked_at=checked_at,
            defaults={
                "checked_by": staff,
                "method": "video",
                "cadre": cadres[1],
                "result": result,
                "note": note,
            },
        )
        if result == "away_unreported" and not PatrolFinding.objects.filter(patrol=check).exists():
            PatrolFinding.objects.create(
                patrol=check,
                village=village,
                cadre=cadres[1],
                day=checked_at.date(),
                confirmed_by=staff,
                reason="经核实，当事干部未报备离岗约一小时",
            )
    # Demo overrides are created relative to today; skip if any exist.
    if not RosterOverride.objects.filter(village=village).exists():
        from attendance.selectors import schedule_compute
        from attendance.services.rosters import days_swap

        week = [today + dt.timedelta(days=n) for n in range(1, 10)]
        workday_slots = [
            s for s in schedule_compute(village, week[0], week[-1]) if s.kind == "sit_in"
        ]
        if len(workday_slots) >= 4:
            first = workday_slots[0]
            second = next(
                (
                    s
                    for s in workday_slots
                    if s.day != first.day
                    and s.cadre_id != first.cadre_id
                    and not any(
                        o.day == s.day and o.cadre_id == first.cadre_id for o in workday_slots
                    )
                    and not any(
                        o.day == first.day and o.cadre_id == s.cadre_id for o in workday_slots
                    )
                ),
                None,
            )
            if second is not None:
                days_swap(
                    actor=secretary_user,
                    village=village,
                    part="full",
                    first_day=first.day,
                    first_cadre=Cadre.objects.get(pk=first.cadre_id),
                    second_day=second.day,
                    second_cadre=Cadre.objects.get(pk=second.cadre_id),
                    reason="家中有事，双方协商换班",
                )
