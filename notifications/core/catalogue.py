"""The kinds of notification the portal knows, with their defaults.

Each becomes a ``Rule`` row (created when missing, never overwritten): administrators
switch it on or off and change its timing (``threshold``) and texts. ``facts`` are the
placeholders its texts may use. The code that finds each rule's occasions is in
``notifications.services.occasions``, under the same key.
"""

from __future__ import annotations

from dataclasses import dataclass

VILLAGE, GUIDES, STAFF = "village", "guides", "staff"


@dataclass(frozen=True)
class RuleSpec:
    key: str
    name: str
    description: str
    audience: tuple[str, ...]
    threshold: int
    threshold_label: str
    title: str
    text: str
    facts: tuple[str, ...]


_REPORT = ("village", "month", "due_on")

CATALOGUE: tuple[RuleSpec, ...] = (
    RuleSpec(
        "report_due_soon",
        "月度进度报告即将到期",
        "报送期限前若干天，本月报告尚未提交",
        (VILLAGE,),
        3,
        "提前天数",
        "{month}进度报告{days}天后到期",
        "{village}{month}的月度进度报告须在{due_on}前提交，目前尚未提交。",
        (*_REPORT, "days"),
    ),
    RuleSpec(
        "report_due_today",
        "月度进度报告今天到期",
        "报送期限当天，报告尚未提交",
        (VILLAGE,),
        0,
        "",
        "{month}进度报告今天到期",
        "{village}{month}的月度进度报告今天（{due_on}）到期，请尽快提交。",
        _REPORT,
    ),
    RuleSpec(
        "report_returned",
        "月度进度报告被退回",
        "审核人退回报告时",
        (VILLAGE,),
        0,
        "",
        "{month}进度报告被退回",
        "{actor}退回了{village}{month}的月度进度报告：{comment}",
        (*_REPORT, "actor", "comment"),
    ),
    RuleSpec(
        "report_approved",
        "月度进度报告已通过",
        "审核人通过报告时",
        (VILLAGE,),
        0,
        "",
        "{month}进度报告已通过",
        "{actor}审核通过了{village}{month}的月度进度报告。",
        (*_REPORT, "actor"),
    ),
    RuleSpec(
        "finding_assigned",
        "交办整改问题",
        "本村有新的待整改问题时",
        (VILLAGE,),
        0,
        "",
        "新的整改事项：{description}",
        "{village}有一项待整改问题：{description}（责任人{owner}，期限{deadline}）。",
        ("village", "description", "owner", "deadline"),
    ),
    RuleSpec(
        "suggestion_assigned",
        "交办党员建议",
        "本村受理新的党员建议时",
        (VILLAGE,),
        0,
        "",
        "新的党员建议待答复",
        "{village}受理了一条党员建议（{source}）：{content}，请在{due_on}前答复。",
        ("village", "source", "content", "due_on"),
    ),
    RuleSpec(
        "rectification_due",
        "整改即将到期",
        "整改期限前若干天（含当天），尚未整改完成",
        (VILLAGE,),
        3,
        "提前天数",
        "整改{deadline}到期：{description}",
        "{village}的整改事项“{description}”将于{deadline}到期，请按时整改并上传佐证。",
        ("village", "description", "owner", "deadline"),
    ),
    RuleSpec(
        "report_late",
        "月度进度报告逾期",
        "报送期限已过，报告仍未提交（缺报、草稿或退回未改）",
        (GUIDES,),
        0,
        "",
        "{village}{month}进度报告逾期",
        "{village}{month}的月度进度报告已过期限（{due_on}），目前状态：{state}。",
        (*_REPORT, "state"),
    ),
    RuleSpec(
        "absence",
        "干部缺勤（未报备）",
        "考勤判定缺勤或巡查确认离岗，且无请假、外出报备；只看最近若干天",
        (GUIDES, STAFF),
        7,
        "回看天数",
        "{village}{cadre}{day}缺勤",
        "{village}{cadre}{day}{how}，且没有请假或外出报备。",
        ("village", "cadre", "day", "how"),
    ),
    RuleSpec(
        "rectification_overdue",
        "整改逾期",
        "整改期限已过，尚未整改完成",
        (GUIDES,),
        0,
        "",
        "{village}整改逾期：{description}",
        "{village}的整改事项“{description}”期限为{deadline}，已逾期，尚未整改完成。",
        ("village", "description", "owner", "deadline"),
    ),
    RuleSpec(
        "report_waiting",
        "月度进度报告待审核",
        "村里提交（或重新提交）报告时",
        (STAFF,),
        0,
        "",
        "{village}{month}进度报告待审核",
        "{village}于{submitted_at}提交了{month}的月度进度报告，等待审核。",
        (*_REPORT, "submitted_at"),
    ),
    RuleSpec(
        "device_silent",
        "考勤设备失联",
        "考勤设备超过若干小时没有联系平台",
        (STAFF,),
        2,
        "失联小时数",
        "{village}考勤设备失联",
        "{village}的{device}自{last_seen}起没有联系平台，已超过{hours}小时。",
        ("village", "device", "last_seen", "hours"),
    ),
    RuleSpec(
        "quarantine_growing",
        "隔离记录增多",
        "最近一天新增的未处理隔离记录达到阈值",
        (STAFF,),
        20,
        "条数阈值",
        "设备隔离记录一天新增{count}条",
        "最近 24 小时有{count}条设备上报记录无法解析、已隔离待处理（阈值{threshold}条）。",
        ("count", "threshold"),
    ),
    RuleSpec(
        "contract_expiring",
        "合同即将到期",
        "集体经济合同在若干天内到期",
        (STAFF,),
        60,
        "提前天数",
        "{village}合同{ends_on}到期",
        "{village}的合同“{contract}”（对方：{counterparty}）将于{ends_on}到期。",
        ("village", "contract", "counterparty", "ends_on"),
    ),
    RuleSpec(
        "economy_weak_forecast",
        "消薄进度预警",
        "按已结账月份的进度推算，全年仍达不到消薄标准",
        (STAFF,),
        0,
        "",
        "{village}{year}年消薄进度预警",
        "按{village}{year}年前{months}个月的收入推算，全年总收入约{projected_total}元、"
        "经营性收入约{projected_operating}元，仍达不到消薄标准。",
        ("village", "year", "months", "projected_total", "projected_operating"),
    ),
    RuleSpec(
        "channel_disabled",
        "外发通道已停用",
        "一个外发通道连续发送失败被自动停用时",
        (STAFF,),
        0,
        "",
        "外发通道“{channel}”已停用",
        "外发通道“{channel}”连续{failures}次发送失败，已自动停用。最近错误：{error}",
        ("channel", "failures", "error"),
    ),
)

BY_KEY = {spec.key: spec for spec in CATALOGUE}


def facts_of(key: str) -> tuple[str, ...]:
    """The placeholders the texts of rule ``key`` may use (none for a rule not listed)."""
    spec = BY_KEY.get(key)
    return spec.facts if spec is not None else ()
