"""The belt's exports (typed cells, through ``jinhu.core.tabular``): reports, findings,
suggestions, targets (with the import's headers: re-importable) and the bulletin."""

from decimal import Decimal

from jinhu.core.tabular import Column, Sheet

REPORTS = [
    Column("村（社区）", "village__name"),
    Column("年度", "year"),
    Column("月份", "month"),
    Column("状态", "get_status_display"),
    Column("报送期限", "due_on"),
    Column("提交时间", "submitted_at"),
    Column("通过时间", "approved_at"),
    Column("本月工作情况", "narrative"),
]
FINDINGS = [
    Column("村（社区）", "village__name"),
    Column("问题", "description"),
    Column("责任人", "owner"),
    Column("整改期限", "deadline"),
    Column("状态", "get_status_display"),
    Column("整改情况", "rectification"),
    Column("复查日期", "rechecked_on"),
    Column("销号日期", "closed_on"),
]
SUGGESTIONS = [
    Column("村（社区）", "village__name"),
    Column("受理日期", "received_on"),
    Column("来源", "get_source_display"),
    Column("建议人", "proposer_display"),
    Column("建议内容", "content"),
    Column("状态", "get_status_display"),
    Column("答复", "reply"),
    Column("答复期限", "due_on"),
    Column("办结日期", "closed_on"),
]
TARGETS = [
    Column("村编码", "plan__village__code"),
    Column("年度", "plan__year"),
    Column("特色主题", "plan__feature_theme"),
    Column("目标编号", "code"),
    Column("维度", "get_dimension_display"),
    Column("目标", "title"),
    Column("衡量方式", "get_measure_display"),
    Column("目标值", "goal_value"),
    Column("单位", "unit"),
    Column("权重", "weight"),
    Column("完成期限", "due_on"),
    Column("佐证材料", "evidence_required"),
]


def bulletin_sheets(rows: list[dict]) -> list[Sheet]:
    """The bulletin's ranking and the score lines behind it, as typed cells."""
    ranking = Sheet("排名", ["排名", "村（社区）", "得分", "满分", "一票否决"], [])
    lines = Sheet(
        "得分明细",
        ["村（社区）", "指标", "标准分", "数据建议分", "考核组评分", "得分", "说明"],
        [],
    )
    for r in rows:
        score = r["score"]
        ranking.rows.append(
            [r["rank"], score.village.name, score.total, score.max_total, score.vetoed]
        )
        for line in r["breakdown"] or ():
            lines.rows.append(
                [
                    score.village.name,
                    line["name"],
                    Decimal(line["standard"]),
                    Decimal(line["suggested"]),
                    Decimal(line["reviewer"]) if line["reviewer"] is not None else None,
                    Decimal(line["final"]),
                    line["reason"],
                ]
            )
    return [ranking, lines]
