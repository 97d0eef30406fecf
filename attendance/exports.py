"""The duty system's exports (typed cells, through ``jinhu.core.tabular``)."""

from jinhu.core.tabular import Column

DUTY_LOG = [
    Column("村（社区）", "village__name"),
    Column("日期", "day"),
    Column("值班干部", "cadre__name"),
    Column("类别", "get_kind_display"),
    Column("接待人数", "people_count"),
    Column("事项类型", "get_matter_type_display"),
    Column("纠纷当事人数", "parties_count"),
    Column("内容摘要", "summary"),
    Column("结果", "get_outcome_display"),
    Column("记录时间", "recorded_at"),
]
