"""Demo data for the belt: the seven villages, plans, agreements, reports and records.

Keyed on natural keys; history is only created once (loading twice changes nothing).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from demonstration_belt.models import (
    Agreement,
    Belt,
    BeltMembership,
    CheckItem,
    CheckResult,
    CreationPlan,
    Dimension,
    Finding,
    Indicator,
    IndicatorKind,
    Inspection,
    Meeting,
    MonthlyReport,
    PartyDayActivity,
    PartyDayMethod,
    ReportEvent,
    ReportItem,
    ReportStatus,
    ServiceCenterCheck,
    Suggestion,
    Target,
    TrackedStatus,
)
from demonstration_belt.selectors import report_due_on
from jinhu.core import clock, periods
from villages.selectors import CadrePosition, Village

BELT_CODES = ["hongqiao", "yongfeng", "jiyun", "qiaotou", "ruihu", "hupan", "jinxi"]
FEATURES = {
    "hongqiao": "红色桥头堡·党建引领物业治理",
    "yongfeng": "咏风书香·乡风文明积分",
    "jiyun": "集云八景·文旅融合",
    "qiaotou": "桥头夜市·便民服务圈",
    "ruihu": "瑞湖清水·生态治理",
    "hupan": "湖畔果园·产业富民",
    "jinxi": "锦溪老兵·红色宣讲",
}
TARGETS = [
    ("R1", Dimension.RESPONSIBILITY, "签订创建责任书并分解到班子成员", "done", None, ""),
    ("O1", Dimension.ORGANIZATION, "每月规范开展主题党日", "number", Decimal("12"), "次"),
    ("T1", Dimension.TEAM, "发展 35 岁以下入党积极分子", "number", Decimal("2"), "名"),
    ("S1", Dimension.SERVICE, "便民服务中心“四统一”达标", "milestone", None, ""),
    ("W1", Dimension.WORK, "打造一村一特色示范点位", "milestone", None, ""),
    ("P1", Dimension.SUPPORT, "落实村级组织运转经费", "done", None, ""),
]
INDICATORS = [
    (
        1,
        Dimension.WORK,
        "创建目标完成情况",
        IndicatorKind.TARGETS,
        30,
        "查看月度进度及佐证",
        "按目标权重折算，未完成的目标不得分",
        {},
    ),
    (
        2,
        Dimension.RESPONSIBILITY,
        "坐班值班制度落实",
        IndicatorKind.DUTY,
        20,
        "考勤机数据",
        "合规率低于 95% 每低 1 个百分点扣 1 分",
        {"threshold": 95, "per_point": 1},
    ),
    (
        3,
        Dimension.SERVICE,
        "坐班服务群众",
        IndicatorKind.SERVICE,
        10,
        "坐班日志",
        "每月接待不少于 40 人次，不足按比例扣分",
        {"visitors_per_month": 40},
    ),
    (
        4,
        Dimension.SUPPORT,
        "集体经济消薄",
        IndicatorKind.ECONOMY,
        15,
        "集体经济报表",
        "总收入或经营性收入未达标不得分",
        {},
    ),
    (
        5,
        Dimension.ORGANIZATION,
        "会议和主题党日",
        IndicatorKind.MEETINGS,
        10,
        "活动记录",
        "每月至少一次主题党日，少一次扣 1 分",
        {"per_month": 1, "per_missing": 1},
    ),
    (
        6,
        Dimension.TEAM,
        "问题整改与建议办理",
        IndicatorKind.FINDINGS,
        10,
        "整改台账",
        "每个超期未整改问题扣 2 分，每条超期未答复建议扣 1 分",
        {"per_finding": 2, "per_suggestion": 1},
    ),
    (
        7,
        Dimension.WORK,
        "坐班巡查",
        IndicatorKind.PATROL,
        5,
        "视频巡查",
        "每发现一次未报备离岗扣 1 分",
        {"per_finding": 1},
    ),
    (
        8,
        Dimension.WORK,
        "创建工作实地评议",
        IndicatorKind.REVIEWER,
        0,
        "考核组实地查看",
        "考核组评分，与数据建议分差异须说明理由",
        {},
    ),
    (9, "", "创新做法被上级推广", IndicatorKind.BONUS, 5, "上级文件", "每项加 2.5 分", {}),
    (10, "", "发生重大失误或造成不良影响", IndicatorKind.VETO, 0, "街道认定", "一票否决", {}),
]
METHODS = [
    "重温入党誓词",
    "集中学习",
    "专题党课",
    "志愿服务",
    "民主议事",
    "谈心谈话",
    "红色教育",
    "为民办实事",
]
CHECK_ITEMS = [
    ("signage", "门头及各功能室统一使用“党员群众服务中心”标识"),
    ("layout", "设置便民服务大厅、党员活动室、议事室"),
    ("facilities", "配备党建资料、服务终端和无障碍设施"),
    ("rules", "服务事项、办事流程、坐班值班表上墙公开"),
]


def demo_year(today: dt.date) -> int:
    """The year the demo describes: that of the last complete month (in January, the
    year just ended), so that whatever the day, every record lies in the past."""
    return periods.last_complete_month(today).year


def on_or_before(day: dt.date, today: dt.date) -> dt.date:
    """A fixed date of the demo year, never after today (early in a year)."""
    return min(day, today)


@transaction.atomic
def load(stdout=None) -> None:
    today = clock.today()
    year = demo_year(today)
    villages = {v.code: v for v in Village.objects.filter(is_demo=True)}
    belt, _ = Belt.objects.get_or_create(
        name="锦湖·咏风",
        defaults={
            "route": "虹桥北路—瑞湖路",
            "starts_on": dt.date(year - 1, 3, 1),
            "ends_on": dt.date(year + 2, 2, 28),
            "description": "以虹桥北路、瑞湖路沿线 7 个村党支部为主体创建基层党建示范带。",
        },
    )
    for code in BELT_CODES:
        if code in villages:
            BeltMembership.objects.get_or_create(
                belt=belt, village=villages[code], joined_on=belt.starts_on
            )
    staff = get_user_model().objects.filter(username="admin").first()
    instructor = get_user_model().objects.filter(username="zhidaoyuan").first()
    for code, village in villages.items():
        secretary = (
            CadrePosition.objects.current()
            .filter(village=village, title=CadrePosition.Title.PARTY_SECRETARY)
            .first()
        )
        _agreement(village, year, Agreement.Kind.ECONOMY, secretary)
        if code not in BELT_CODES:
            continue
        plan, _ = CreationPlan.objects.get_or_create(
            village=village, year=year, defaults={"feature_theme": FEATURES[code]}
        )
        for n, (tcode, dimension, title, measure, goal, unit) in enumerate(TARGETS):
            Target.objects.get_or_create(
                plan=plan,
                code=tcode,
                defaults={
                    "dimension": dimension,
                    "title": title,
                    "measure": measure,
                    "goal_value": goal,
                    "unit": unit,
                    "weight": Decimal(1 + n % 2),
                    "due_on": dt.date(year, 12, 31) if n % 3 else dt.date(year, 6, 30),
                    "evidence_required": "照片、会议记录",
                },
            )
        _agreement(village, year, Agreement.Kind.CREATION, secretary)
        if staff and instructor:
            _reports(village, today, staff, instructor)
    _records(villages, today, staff)
    _scores(year)
    if stdout:
        stdout.write("  belt: 7 villages, plans, agreements, reports and working records")


def _scores(year: int) -> None:
    """Score every completed month of the year and the year so far (idempotent)."""
    from demonstration_belt.services.scores import proposals_make, score_year

    score_year(year=year)
    proposals_make(year=year)


def _agreement(village, year, kind, secretary) -> None:
    agreement, created = Agreement.objects.get_or_create(
        village=village,
        year=year,
        kind=kind,
        defaults={
            "party_a": "周明远（演示）",
            "party_b": secretary.cadre if secretary else None,
            "signed_on": dt.date(year, 2, 20),
        },
    )
    if created and kind == Agreement.Kind.CREATION:
        for order, dimension, name, ikind, score, method, rule, params in INDICATORS:
            Indicator.objects.create(
                agreement=agreement,
                order=order,
                dimension=dimension,
                name=name,
                kind=ikind,
                standard_score=Decimal(score),
                check_method=method,
                deduction_rule=rule,
                params=params,
                reviewer_scored=ikind == IndicatorKind.REVIEWER,
            )
    elif created:
        Indicator.objects.create(
            agreement=agreement,
            order=1,
            dimension=Dimension.SUPPORT,
            name="年度消薄目标",
            kind=IndicatorKind.ECONOMY,
            standard_score=Decimal(100),
            check_method="年度报表",
            deduction_rule="总收入超过 10 万元、经营性收入超过 5 万元",
        )


def _reports(village, today, staff, instructor) -> None:
    """Approved reports for past months; last month's varies by village."""
    if MonthlyReport.objects.filter(village=village).exists():
        return
    from villages.selectors import VillageAssignment

    secretary_user = VillageAssignment.objects.filter(village=village, role="secretary").first()
    if secretary_user is None:
        return
    author = secretary_user.user
    rng = random.Random(village.pk)
    last = periods.last_complete_month(today)  # (in January: December of the year before)
    for month in range(1, last.month + 1):
        report = MonthlyReport.objects.create(
            village=village,
            year=last.year,
            month=month,
            due_on=report_due_on(last.year, month),
            narrative=f"{month}月召开支委会 2 次，开展主题党日 1 次，"
            f"推进“{FEATURES[village.code]}”建设。",
        )
        targets = Target.objects.filter(plan__village=village, plan__year=last.year)
        for target in targets:
            done = month >= 6 and rng.random() < 0.7
            ReportItem.objects.create(
                report=report,
                target=target,
                progress=ReportItem.Progress.DONE if done else ReportItem.Progress.IN_PROGRESS,
                value=(target.goal_value * month / 12).quantize(Decimal("0.01"))
                if target.goal_value
                else None,
                note="按计划推进",
            )
        final = month < last.month or village.code in ("hongqiao", "jiyun", "ruihu")
        # Earlier months were handled around their deadline, not today (the notification
        # rules tell only recent returns and approvals).
        at = (
            clock.now()
            if month == last.month
            else clock.start_of_day(report_due_on(last.year, month)) + dt.timedelta(hours=10)
        )
        if village.code == "yongfeng" and month == last.month:
            _event(report, ReportEvent.Action.SUBMIT, author, at=at)
            _event(
                report, ReportEvent.Action.RETURN, instructor, "特色点位照片不清晰，请补充。", at=at
            )
            report.status = ReportStatus.RETURNED
        elif village.code == "qiaotou" and month == last.month:
            _event(report, ReportEvent.Action.SUBMIT, author, at=at)
            report.status = ReportStatus.SUBMITTED
        elif final:
            _event(report, ReportEvent.Action.SUBMIT, author, at=at)
            _event(report, ReportEvent.Action.APPROVE, instructor if month % 2 else staff, at=at)
            report.status = ReportStatus.APPROVED
        report.submitted_at = report.approved_at = at
        report.save()


def _event(report, action, actor, comment="", *, at=None) -> None:
    event = ReportEvent.objects.create(report=report, action=action, actor=actor, comment=comment)
    if at is not None:  # (``at`` is set on creation; the demo dates earlier months back)
        ReportEvent.objects.filter(pk=event.pk).update(at=at)


def _records(villages: dict, today: dt.date, staff) -> None:
    year = demo_year(today)
    for n, name in enumerate(METHODS, start=1):
        PartyDayMethod.objects.get_or_create(name=name, defaults={"order": n})
    for category, text in CHECK_ITEMS:
        CheckItem.objects.get_or_create(category=category, text=text)
    if Meeting.objects.exists() or staff is None:
        return
    belt_villages = [villages[c] for c in BELT_CODES if c in villages]
    for kind, title, month, host in (
        ("mobilisation", "锦湖·咏风党建示范带创建动员会", 3, None),
        ("promotion", "示范带创建第一季度推进会", 4, "hongqiao"),
        ("observation", "赴外地考察学习基层党建示范带", 5, None),
        ("on_site", "示范带“四统一”服务中心现场会", 7, "jiyun"),
        ("review", "示范带创建半年点评会", 8, "ruihu"),
    ):
        meeting = Meeting.objects.create(
            kind=kind,
            title=title,
            held_on=on_or_before(dt.date(year, month, 18), today),
            host=villages.get(host) if host else None,
            minutes="各村汇报创建进展，交流经验做法。",
            decisions="各村于月底前完成特色点位提升。",
        )
        meeting.villages.set(belt_villages)
        if kind == "review":
            Finding.objects.create(
                meeting=meeting,
                village=villages["qiaotou"],
                description="夜市便民服务点位标识不统一",
                owner="桥头村书记",
                deadline=today + dt.timedelta(days=5),
            )
    inspection = Inspection.objects.create(
        kind="comparison",
        title="示范带村村互学互比",
        held_on=today - dt.timedelta(days=40),
        inspectors="街道组织办、各村书记",
    )
    Finding.objects.create(
        inspection=inspection,
        village=villages["hupan"],
        description="党员活动室台账不全",
        owner="湖畔村党支部",
        deadline=today - dt.timedelta(days=10),
    )
    Finding.objects.create(
        inspection=inspection,
        village=villages["yongfeng"],
        description="乡风文明积分兑换记录未公开",
        owner="咏风村党支部",
        deadline=today - dt.timedelta(days=20),
        rectification="已在村务公开栏张贴积分兑换明细",
        status=TrackedStatus.CLOSED,
        rechecked_on=today - dt.timedelta(days=15),
        closed_on=today - dt.timedelta(days=15),
    )
    taoyuan = villages.get("taoyuan")
    if taoyuan:
        salon = Meeting.objects.create(
            kind="salon",
            title="桃源社区党员沙龙：小区停车难",
            held_on=on_or_before(dt.date(year, 4, 10), today),
            host=taoyuan,
            minutes="党员反映小区停车难，外来车辆占用车位。",
        )
        salon.villages.set([taoyuan])
        Suggestion.objects.create(
            village=taoyuan,
            source="salon",
            proposer="李建华（演示）",
            content="小区停车难，外来车辆随意停放，建议设立道闸并划定停车位。",
            status=Suggestion.Status.DONE,
            reply="社区党委集体研究后马上落实：小区门口设立道闸，"
            "小区内划设停车位 86 个，停车秩序明显好转。",
            received_on=on_or_before(dt.date(year, 4, 10), today),
            due_on=on_or_before(dt.date(year, 5, 10), today),
            closed_on=on_or_before(dt.date(year, 5, 6), today),
        )
    Suggestion.objects.create(
        village=villages["hongqiao"],
        source="visit",
        anonymous=True,
        content="建议在虹桥北路增设健身步道照明。",
        status=Suggestion.Status.STUDYING,
        received_on=today - dt.timedelta(days=40),
        due_on=today - dt.timedelta(days=10),
    )
    Suggestion.objects.create(
        village=villages["jiyun"],
        source="online",
        proposer="王秀英（演示）",
        content="建议集云八景设置讲解二维码。",
        status=Suggestion.Status.IMPLEMENTING,
        received_on=today - dt.timedelta(days=20),
        due_on=today + dt.timedelta(days=4),
    )
    methods = list(PartyDayMethod.objects.all())
    items = list(CheckItem.objects.all())
    for code in BELT_CODES:
        village = villages.get(code)
        if village is None:
            continue
        for month in range(1, periods.last_complete_month(today).month + 1):
            activity = PartyDayActivity.objects.create(
                village=village,
                held_on=dt.date(year, month, 15),
                theme=f"{month}月主题党日",
                attendance=28 + month % 5,
                members_total=35,
            )
            activity.methods.set(methods[month % 8 : month % 8 + 2])
        check = ServiceCenterCheck.objects.create(
            village=village,
            checked_on=on_or_before(dt.date(year, 9, 20), today),
            checked_by="街道组织办",
        )
        for n, item in enumerate(items):
            CheckResult.objects.create(
                check_run=check,
                item=item,
                passed=not (code == "qiaotou" and n == 0),
                note="" if code != "qiaotou" or n else "门头标识未更换",
            )
