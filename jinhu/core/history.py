"""Change history for every model people edit (django-auditlog), with the village each
row belongs to recorded beside the change so that the 操作日志 can be filtered by village.

Each app registers its models in ``AppConfig.ready()`` with :func:`register`; work done
outside a request (commands, tasks, services called from a job) names its actor with
:func:`audit_actor`. The 操作日志 page and sign-in records live in ``villages``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from auditlog.context import set_actor


@contextmanager
def audit_actor(actor: Any) -> Iterator[None]:
    """Attribute auditlog entries written inside the block to ``actor``."""
    if actor is None:
        yield
        return
    with set_actor(actor):
        yield


def _village_getter(model: Any, village: str | None) -> Callable[[Any], Any]:
    """A function from an instance to its village id, following ``village`` (a lookup
    path such as ``report__village``), or the path its scoped queryset declares
    (``village_path``; ``"pk"`` for the village itself)."""
    if village is None:
        queryset = model._default_manager.get_queryset()
        path = getattr(queryset, "village_path", None)
        if path is not None and not getattr(queryset, "many", False):
            village = path
        elif any(f.name == "village" for f in model._meta.concrete_fields):
            village = "village"
    if village is None:
        return lambda instance: None
    if village == "pk":  # (the village itself)
        return lambda instance: instance.pk
    parts = village.split("__")

    def village_of(instance):
        value = instance
        for part in parts[:-1]:
            value = getattr(value, part, None)
            if value is None:
                return None
        return getattr(value, f"{parts[-1]}_id", None)

    return village_of


def register(model: Any, *, village: str | None = None, **options: Any) -> None:
    """Audit ``model`` (options as ``auditlog.register``), with its village recorded."""
    from auditlog.registry import auditlog

    village_of = _village_getter(model, village)

    def get_additional_data(self):
        try:
            village_id = village_of(self)
        except Exception:  # (a half-deleted relation must never stop the save)
            village_id = None
        return {"village": village_id} if village_id is not None else None

    model.get_additional_data = get_additional_data
    auditlog.register(model, **options)
