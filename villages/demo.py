"""Demo data for the registry: the 锦湖 sub-district, fictional but faithful.

Names are invented and every person is marked ``is_demo``. The cadres of the
two terms are built so that the statistics *computed from their birth dates
and education* reproduce the article (seed-summary row 10):

- new secretaries average 49.4 years, 3 years younger than the previous term;
- party-organisation members average 47.5, 4 years younger;
- 2 members aged 35 or under and 6 with 大专 or above in the new term.

Everything is keyed on natural keys (codes, usernames, name + village), so
running the loader twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from villages.models import (
    Cadre,
    CadrePosition,
    PartyOrganization,
    Role,
    SubDistrict,
    Term,
    Village,
)
from villages.services.registry import user_with_role_ensure

DEMO_PASSWORD = "jinhu-demo-2026"


@dataclass(frozen=True)
class VillageSpec:
    code: str
    name: str
    kind: str
    org_kind: str
    population: int
    households: int
    road: str
    belt: bool


VILLAGES: tuple[VillageSpec, ...] = (
    # The seven belt villages along 虹桥北路 and 瑞湖路 (seed-summary row 1).
    VillageSpec("hongqiao", "虹桥村", "village", "branch", 2860, 812, "虹桥北路", True),
    VillageSpec("yongfeng", "咏风村", "village", "branch", 2415, 690, "虹桥北路", True),
    VillageSpec("jiyun", "集云村", "village", "branch", 3120, 903, "虹桥北路", True),
    VillageSpec("qiaotou", "桥头村", "village", "branch", 1980, 566, "虹桥北路", True),
    VillageSpec("ruihu", "瑞湖村", "village", "branch", 2650, 745, "瑞湖路", True),
    VillageSpec("hupan", "湖畔村", "village", "branch", 2230, 640, "瑞湖路", True),
    VillageSpec("jinxi", "锦溪村", "village", "branch", 2510, 702, "瑞湖路", True),
    # The other villages and communities of the sub-district.
    VillageSpec("taoyuan", "桃源社区", "community", "committee", 6840, 2310, "桃源路", False),
    VillageSpec("shanshui", "山水村", "village", "general_branch", 1760, 498, "山水路", False),
    VillageSpec("xintang", "新塘村", "village", "general_branch", 2045, 587, "新塘路", False),
)

PREVIOUS_TERM = (11, "第十一届", dt.date(2021, 4, 10), dt.date(2026, 4, 9))
CURRENT_TERM = (12, "第十二届", dt.date(2026, 4, 10), dt.date(2031, 4, 9))

# Ages (周岁) of the ten party secretaries on the first day of each term.
# Sums: 494 (avg 49.4) and 524 (avg 52.4): three years younger.
CURRENT_SECRETARY_AGES = (42, 45, 47, 48, 49, 50, 51, 52, 53, 57)
PREVIOUS_SECRETARY_AGES = (45, 48, 50, 51, 52, 53, 54, 55, 56, 60)
# The other four party-organisation members per village (40 people per term).
# Current: total with secretaries 2375 (avg 47.5), two aged 35 or under.
# Previous: total 2575 (avg 51.5): four years older.
MEMBERS_PER_VILLAGE = 4
CURRENT_MEMBER_AGE_SUM = 2375 - sum(CURRENT_SECRETARY_AGES)
PREVIOUS_MEMBER_AGE_SUM = 2575 - sum(PREVIOUS_SECRETARY_AGES)
CURRENT_YOUNG_AGES = (32, 34)
CURRENT_COLLEGE_COUNT = 6  # members with 大专 or above, current term
PREVIOUS_COLLEGE_COUNT = 3

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = [
    "建国",
    "国强",
    "海燕",
    "丽华",
    "志刚",
    "秀英",
    "永红",
    "春梅",
    "伟民",
    "桂芳",
    "明辉",
    "晓东",
    "建华",
    "玉兰",
    "德胜",
    "红霞",
    "立新",
    "金凤",
    "卫东",
    "淑芬",
    "文斌",
    "雪梅",
    "振华",
    "小燕",
    "家豪",
    "婷婷",
    "子轩",
    "思远",
    "宏伟",
    "慧敏",
    "长青",
    "月琴",
    "光明",
    "爱华",
    "跃进",
    "美玲",
    "林峰",
    "晓丽",
    "国庆",
    "春燕",
    "海波",
    "丽萍",
    "向阳",
    "翠兰",
    "新民",
    "秋菊",
    "俊杰",
    "晨曦",
    "天佑",
    "雨欣",
    "宇航",
    "欣怡",
    "浩然",
    "梦琪",
    "福生",
    "水英",
    "根宝",
    "彩云",
    "志明",
    "凤英",
]


def _ages_with_sum(count: int, total: int, low: int, high: int, rng: random.Random) -> list[int]:
    """``count`` integer ages in [low, high] adding up to exactly ``total``."""
    if not low * count <= total <= high * count:
        raise ValueError("impossible age constraints")
    ages = [rng.randint(low, high) for _ in range(count)]
    diff = total - sum(ages)
    i = 0
    while diff:
        step = 1 if diff > 0 else -1
        if low <= ages[i % count] + step <= high:
            ages[i % count] += step
            diff -= step
        i += 1
    return ages


def _birth_date(age: int, on: dt.date, rng: random.Random) -> dt.date:
    """A birth date that makes someone exactly ``age`` full years old on ``on``."""
    latest = on.replace(year=on.year - age)  # birthday on that day: just turned age
    return latest - dt.timedelta(days=rng.randint(1, 360))


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self._pairs = [(s, g) for s in SURNAMES for g in GIVEN]
        rng.shuffle(self._pairs)
        self._next = 0

    def take(self) -> str:
        surname, given = self._pairs[self._next]
        self._next += 1
        return surname + given


def _term(spec: tuple) -> Term:
    number, name, starts_on, ends_on = spec
    term, _ = Term.objects.update_or_create(
        number=number, defaults={"name": name, "starts_on": starts_on, "ends_on": ends_on}
    )
    return term


def _cadre(
    village: Village,
    name: str,
    *,
    age: int,
    term: Term,
    education: int,
    rng: random.Random,
    index: int,
    active: bool,
    party_member: bool = True,
) -> Cadre:
    birth = _birth_date(age, term.starts_on, rng)
    gender = Cadre.Gender.FEMALE if index % 3 == 1 else Cadre.Gender.MALE
    cadre, _ = Cadre.objects.update_or_create(
        village=village,
        name=name,
        defaults={
            "gender": gender,
            "birth_date": birth,
            "education": education,
            "is_party_member": party_member,
            "office_phone": village.duty_phone,
            # Fictional numbers in a reserved-looking range; private, never public.
            "private_phone": f"1990000{village.sort_order:02d}{index:02d}",
            "is_active": active,
            "is_demo": True,
        },
    )
    return cadre


def _position(cadre: Cadre, term: Term, title: str, *, ended: bool) -> None:
    CadrePosition.objects.update_or_create(
        cadre=cadre,
        term=term,
        title=title,
        defaults={
            "village": cadre.village,
            "starts_on": term.starts_on,
            "ends_on": term.ends_on if ended else None,
        },
    )


def _education_plan(count: int, college: int, rng: random.Random) -> list[Cadre.Education]:
    below = [Cadre.Education.SENIOR, Cadre.Education.JUNIOR, Cadre.Education.SENIOR]
    above = [Cadre.Education.COLLEGE, Cadre.Education.BACHELOR]
    plan = [above[i % 2] for i in range(college)]
    plan += [below[i % 3] for i in range(count - college)]
    rng.shuffle(plan)
    return plan


@transaction.atomic
def load(stdout=None) -> None:
    rng = random.Random(20261126)  # fixed seed: the same demo every time
    names = _Names(rng)
    subdistrict, _ = SubDistrict.objects.update_or_create(
        code="jinhu",
        defaults={
            "name": "锦湖街道",
            "party_committee_name": "中共锦湖街道工作委员会",
            "party_secretary_name": "周明远（演示）",
            "address": "锦湖大道 1 号（演示地址）",
        },
    )
    villages: list[Village] = []
    for order, spec in enumerate(VILLAGES, start=1):
        village, _ = Village.objects.update_or_create(
            code=spec.code,
            defaults={
                "subdistrict": subdistrict,
                "name": spec.name,
                "kind": spec.kind,
                "population": spec.population,
                "households": spec.households,
                "address": f"{spec.road}{100 + order * 12}号（演示地址）",
                "duty_phone": f"0571-8800{order:04d}",
                "sort_order": order,
                "is_demo": True,
            },
        )
        org_suffix = {"branch": "党支部", "general_branch": "党总支", "committee": "党委"}
        PartyOrganization.objects.update_or_create(
            village=village,
            defaults={
                "name": f"{spec.name}{org_suffix[spec.org_kind]}",
                "kind": spec.org_kind,
                "member_count": 40 + (spec.population // 60),
            },
        )
        villages.append(village)

    previous, current = _term(PREVIOUS_TERM), _term(CURRENT_TERM)
    plans = (
        (
            previous,
            PREVIOUS_SECRETARY_AGES,
            PREVIOUS_MEMBER_AGE_SUM,
            (),
            PREVIOUS_COLLEGE_COUNT,
            True,
        ),
        (
            current,
            CURRENT_SECRETARY_AGES,
            CURRENT_MEMBER_AGE_SUM,
            CURRENT_YOUNG_AGES,
            CURRENT_COLLEGE_COUNT,
            False,
        ),
    )
    secretaries: dict[str, Cadre] = {}
    for term, secretary_ages, member_sum, young, college, ended in plans:
        secretary_order = list(secretary_ages)
        rng.shuffle(secretary_order)
        others = len(villages) * MEMBERS_PER_VILLAGE - len(young)
        member_ages = list(young) + _ages_with_sum(
            others, member_sum - sum(young), 38 if not ended else 40, 60, rng
        )
        rng.shuffle(member_ages)
        education = _education_plan(len(villages) * (MEMBERS_PER_VILLAGE + 1), college, rng)
        for v_index, village in enumerate(villages):
            first = v_index * MEMBERS_PER_VILLAGE
            members = member_ages[first : first + MEMBERS_PER_VILLAGE]
            people = [secretary_order[v_index], *members]
            titles = [CadrePosition.Title.PARTY_SECRETARY, CadrePosition.Title.PARTY_DEPUTY] + [
                CadrePosition.Title.PARTY_MEMBER
            ] * (MEMBERS_PER_VILLAGE - 1)
            for p_index, (age, title) in enumerate(zip(people, titles, strict=True)):
                cadre = _cadre(
                    village,
                    names.take(),
                    age=age,
                    term=term,
                    education=education[v_index * (MEMBERS_PER_VILLAGE + 1) + p_index],
                    rng=rng,
                    index=p_index + (0 if ended else 10),
                    active=not ended,
                )
                _position(cadre, term, title, ended=ended)
                if title == CadrePosition.Title.PARTY_SECRETARY and not ended:
                    # 书记、主任"一肩挑": the secretary also chairs the committee.
                    _position(cadre, term, CadrePosition.Title.COMMITTEE_DIRECTOR, ended=False)
                    secretaries[village.code] = cadre
            if not ended:
                # Two committee members who are not on the party organisation.
                for extra in range(2):
                    cadre = _cadre(
                        village,
                        names.take(),
                        age=rng.randint(30, 55),
                        term=term,
                        education=Cadre.Education.SENIOR,
                        rng=rng,
                        index=20 + extra,
                        active=True,
                        party_member=extra == 0,
                    )
                    _position(cadre, term, CadrePosition.Title.COMMITTEE_MEMBER, ended=False)

    _users(villages, secretaries)
    if stdout:
        stdout.write(f"  registry: {len(villages)} villages, 2 terms, demo logins ready")


def _users(villages: list[Village], secretaries: dict[str, Cadre]) -> None:
    by_code = {v.code: v for v in villages}
    user_with_role_ensure(
        username="admin",
        display_name="街道管理员（演示）",
        role=Role.STAFF,
        password=DEMO_PASSWORD,
        is_superuser=True,
    )
    user_with_role_ensure(
        username="jiedao",
        display_name="街道组织办（演示）",
        role=Role.STAFF,
        password=DEMO_PASSWORD,
    )
    for username in DEMO_TWO_FACTOR_USERS:
        demo_two_factor_ensure(username)
    user_with_role_ensure(
        username="zhidaoyuan",
        display_name="驻村指导员（演示）",
        role=Role.INSTRUCTOR,
        password=DEMO_PASSWORD,
        villages=[(by_code["hongqiao"], Role.INSTRUCTOR), (by_code["yongfeng"], Role.INSTRUCTOR)],
    )
    user_with_role_ensure(
        username="lianxi",
        display_name="联系村班子成员（演示）",
        role=Role.LIAISON,
        password=DEMO_PASSWORD,
        villages=[(by_code["jiyun"], Role.LIAISON)],
    )
    for village in villages:
        secretary = secretaries[village.code]
        user_with_role_ensure(
            username=f"shuji-{village.code}",
            display_name=f"{secretary.name}（{village.name}书记）",
            role=Role.SECRETARY,
            password=DEMO_PASSWORD,
            villages=[(village, Role.SECRETARY)],
            cadre=secretary,
        )


#: the demo staff's authenticator key: published (README), so it protects nothing; real
#: users enrol their own keys. ``manage.py demo_otp`` prints its current code.
DEMO_TOTP_KEY = "6a696e6875646d6f74703230323664656d6f6b31"
DEMO_TWO_FACTOR_USERS = ("admin", "jiedao")
DEMO_DEVICE_NAME = "演示身份验证器"


def demo_two_factor_ensure(username: str) -> None:
    """When two-factor is required (the default), the demo staff accounts are enrolled
    with the published demo key, so ``make run`` works with ``make otp`` beside it."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not settings.JINHU_TWO_FACTOR_REQUIRED:
        return
    user = get_user_model().objects.get(username=username)
    TOTPDevice.objects.update_or_create(
        user=user, name=DEMO_DEVICE_NAME, defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
    )


DEMO_LOGINS = (
    ("admin", "街道工作人员（超级管理员）"),
    ("jiedao", "街道工作人员"),
    ("zhidaoyuan", "驻村指导员：虹桥村、咏风村"),
    ("lianxi", "联系村班子成员：集云村"),
    ("shuji-hongqiao", "村书记：虹桥村（其他村为 shuji-<村编码>）"),
    ("shuji-yongfeng", "村书记：咏风村"),
)
