"""The village collective economy (村级集体经济): accounts, 三资 registers, contracts,
the clean-up campaign, 一村一策 projects. Money is Decimal yuan, never float.

The county system keeps the books (no double entry here): villages enter the figures a
village accountant already keeps, monthly and yearly.
"""

from collective_economy.models.accounts import (
    AnnualAccount,
    IncomeLine,
    IncomeLineQuerySet,
    IncomeSource,
    MonthlyAccount,
    Thresholds,
)
from collective_economy.models.assets import (
    Asset,
    Contract,
    ContractPayment,
    ContractQuerySet,
    Fund,
    PaymentQuerySet,
    Resource,
)
from collective_economy.models.fields import ZERO, MoneyField
from collective_economy.models.imports import (
    ImportJob,
)
from collective_economy.models.projects import (
    CleanupItem,
    Project,
    ProjectMilestone,
    ProjectMilestoneQuerySet,
)

__all__ = [
    "ZERO",
    "AnnualAccount",
    "Asset",
    "CleanupItem",
    "Contract",
    "ContractPayment",
    "ContractQuerySet",
    "Fund",
    "ImportJob",
    "IncomeLine",
    "IncomeLineQuerySet",
    "IncomeSource",
    "MoneyField",
    "MonthlyAccount",
    "PaymentQuerySet",
    "Project",
    "ProjectMilestone",
    "ProjectMilestoneQuerySet",
    "Resource",
    "Thresholds",
]
