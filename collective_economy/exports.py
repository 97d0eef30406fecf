"""The collective economy's exports: typed cells with the import's own headers, so an
export can be edited and imported again (``collective_economy.core.importing``)."""

from jinhu.core.tabular import Column

MONTHLY = [
    Column("村编码", "village__code"),
    Column("村（社区）", "village__name"),
    Column("年度", "year"),
    Column("月份", "month"),
    Column("经营性收入（元）", "operating_income"),
    Column("其他收入（元）", "other_income"),
    Column("支出（元）", "expenses"),
]
ANNUAL = [
    Column("村编码", "village__code"),
    Column("村（社区）", "village__name"),
    Column("年度", "year"),
    Column("总收入（元）", "total_income"),
    Column("经营性收入（元）", "operating_income"),
    Column("其他收入（元）", "other_income"),
    Column("总支出（元）", "expenses"),
    Column("农民人均纯收入（元）", "per_capita_net_income"),
    Column("已决算", "is_final"),
]
EXPORTS = {"monthly": ("月度收支", MONTHLY), "annual": ("年度收支", ANNUAL)}
