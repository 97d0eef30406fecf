"""Money: yuan, two decimals, never float."""

from decimal import Decimal

from django.db import models

ZERO = Decimal("0.00")


def MoneyField(verbose_name, **kwargs):
    """Yuan, two decimals, up to 999,999,999,999.99."""
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)
