"""Walking the whole URL map as a user: every page, list, form and export.

The pages come from ``get_resolver()``, not from a hand-kept list, so a new page is
walked the day it is added. A route whose parameters cannot be filled fails the walk
with a message naming the route: add a provider for it here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from jinhu.core import clock, periods

#: routes the walk never requests: device protocols, the admin, the public pages (for
#: everybody by design: tested on their own), log-out (a POST), static routes
SKIP_PREFIXES = ("admin/", "iclock/", "hik/", "duty/", "accounts/logout/", "static/")
#: a parameter in a query string that would make any page show a subset; tried malformed
QUERY_PARAMETERS = ("year", "month", "cadre", "village", "page", "status", "kind", "export")


@dataclass(frozen=True)
class Route:
    pattern: str  # e.g. "belt/reports/<int:pk>/"
    name: str  # e.g. "belt:report"

    @property
    def parameters(self) -> list[tuple[str, str]]:
        """(converter, name) of each path parameter."""
        return re.findall(r"<(?:(\w+):)?(\w+)>", self.pattern)


def routes() -> Iterator[Route]:
    def walk(patterns, prefix="", namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace else p.name
                yield Route(prefix + str(p.pattern), name)

    for route in walk(get_resolver().url_patterns):
        if not route.pattern.startswith(SKIP_PREFIXES):
            yield route


def fill(route: Route, values: dict[str, object]) -> str:
    """The route's path with its parameters filled from ``values`` (by parameter name,
    or by ``"<route name>.<parameter>"`` for a route-specific value)."""
    path = route.pattern
    for converter, name in route.parameters:
        key = f"{route.name}.{name}"
        if key in values:
            value = values[key]
        elif name in values:
            value = values[name]
        else:
            raise LookupError(
                f"the URL walk cannot fill <{name}> of {route.name} ({route.pattern}): "
                f"add a provider in tests/walk.py's callers"
            )
        token = f"<{converter}:{name}>" if converter else f"<{name}>"
        path = path.replace(token, str(value))
    return "/" + path


def text_of(response) -> str:
    """What a person would read in the response: HTML, CSV, or an XLSX's cells."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join(str(c) for c in row if c is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if content_type.startswith(("text/", "application/json", "image/svg")):
        return body.decode("utf-8", "replace")
    return ""  # images, PDFs: no text to leak


def mark_village(village, marker: str) -> int:
    """Append ``marker`` to every free-text field of every row that belongs to
    ``village`` (found through each model's ``ScopedQuerySet`` village path), so that any
    page showing anything of the village shows the marker. Returns the rows touched."""
    from django.apps import apps
    from django.db.models import Value
    from django.db.models.functions import Concat, Left

    from villages.models import ScopedQuerySet

    touched = 0
    skip = {"pin", "raw_time", "serial_number", "mac_address", "token_hash", "token_hint", "code"}
    for label in ("villages", "attendance", "collective_economy", "demonstration_belt"):
        for model in apps.get_app_config(label).get_models():
            queryset = model._default_manager.all()
            if not isinstance(queryset, ScopedQuerySet) or queryset.many:
                continue  # (rows shared by several villages are not the village's own)
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
                and not f.choices
                and not f.unique
                and f.name not in skip
                and (isinstance(f, models.TextField) or f.max_length >= 20)
                and not f.validators
            ]
            if not fields:
                continue
            rows = queryset.for_village(village)
            for name in fields:
                field = model._meta.get_field(name)
                marked = Concat(Value(marker), models.F(name), output_field=field)
                if isinstance(field, models.CharField):
                    marked = Left(marked, field.max_length)  # the marker first: never cut
                touched += rows.exclude(**{name: ""}).update(**{name: marked})
    return touched


def default_values() -> dict[str, object]:
    last = periods.last_complete_month(clock.today())
    return {"year": last.year, "month": last.month, "kind": "monthly", "fmt": "xlsx"}
