"""Strict environment parsing on top of django-environ.

django-environ is lenient: ``DEBUG=maybe`` silently becomes False and a typo
in a URL scheme surfaces as a KeyError deep inside Django. Operators deserve
an error that names the variable and says what was expected.
"""

from __future__ import annotations

import builtins
import os
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_NOT_SET = object()


class EnvReader:
    def _raw(self, name: str) -> str | None:
        return os.environ.get(name)

    def _fail(self, name: str, value: str, expected: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not valid: expected {expected}."
        )

    def str(self, name: str, *, default: Any = _NOT_SET) -> Any:
        raw = self._raw(name)
        if raw is None:
            if default is _NOT_SET:
                raise ImproperlyConfigured(f"Environment variable {name} is required.")
            return default
        return raw

    def bool(self, name: builtins.str, *, default: builtins.bool) -> builtins.bool:
        raw = self._raw(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise self._fail(name, raw, "one of true/false, 1/0, yes/no, on/off")

    def int(self, name: builtins.str, *, default: builtins.int) -> builtins.int:
        raw = self._raw(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise self._fail(name, raw, "an integer") from None

    def list(
        self, name: builtins.str, *, default: builtins.list[builtins.str]
    ) -> builtins.list[builtins.str]:
        raw = self._raw(name)
        if raw is None:
            return default
        return [item.strip() for item in raw.split(",") if item.strip()]

    def path(self, name: builtins.str, *, default: Path) -> Path:
        raw = self._raw(name)
        return Path(raw) if raw else default

    def db_url(self, name: builtins.str, *, default: builtins.str) -> dict[builtins.str, Any]:
        raw = self._raw(name) or default
        scheme = raw.split("://", 1)[0] if "://" in raw else ""
        if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
            raise self._fail(name, raw, "a sqlite:/// or postgres:// URL")
        try:
            return environ.Env.db_url_config(raw)
        except Exception as exc:  # malformed port, bad quoting, ...
            raise self._fail(name, raw, f"a database URL ({exc})") from None

    def email_url(self, name: builtins.str, *, default: builtins.str) -> dict[builtins.str, Any]:
        """An ``EMAIL_URL`` (smtp://, smtp+tls://, smtp+ssl://, consolemail://) as the
        EMAIL_* settings it stands for."""
        raw = self._raw(name) or default
        scheme = raw.split("://", 1)[0] if "://" in raw else ""
        if scheme not in {"smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "dummymail"}:
            raise self._fail(
                name, raw, "an smtp://, smtp+tls://, smtp+ssl:// or consolemail:// URL"
            )
        try:
            return environ.Env.email_url_config(raw)
        except Exception as exc:
            raise self._fail(name, raw, f"an e-mail URL ({exc})") from None
