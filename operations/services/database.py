"""What a database holds, measured the same way at backup time and after a restore.

Row counts of every table, and content checksums of the tables a loss would hurt
most (the registry, cadres, punches, judged slots, monthly reports and accounts).
The checksum is order-independent and streams (PostgreSQL: the sum of ``hashtext`` of
each row's text in a fixed session setting; SQLite: SHA-256 over the rows in rowid
order), so it costs one pass over a table of millions of rows and no memory.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.apps import apps

#: (app label, model) of the tables whose content is checksummed
CHECKSUMMED = (
    ("villages", "Village"),
    ("villages", "Cadre"),
    ("attendance", "Punch"),
    ("attendance", "SlotOutcome"),
    ("demonstration_belt", "MonthlyReport"),
    ("collective_economy", "MonthlyAccount"),
)

#: the session settings a row's text depends on, fixed on both sides of a comparison
_PG_SESSION = (
    "SET TIME ZONE 'UTC'",
    "SET DateStyle = 'ISO, YMD'",
    "SET IntervalStyle = 'postgres'",
    "SET extra_float_digits = 1",
    "SET bytea_output = 'hex'",
)


def checksummed_tables() -> list[str]:
    return [apps.get_model(app, model)._meta.db_table for app, model in CHECKSUMMED]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def user_tables(cursor: Any, vendor: str) -> list[str]:
    if vendor == "postgresql":
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    return [row[0] for row in cursor.fetchall()]


def table_counts(cursor: Any, vendor: str) -> dict[str, int]:
    counts = {}
    for table in user_tables(cursor, vendor):
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")
        counts[table] = int(cursor.fetchone()[0])
    return counts


def content_checksums(cursor: Any, vendor: str, tables: list[str]) -> dict[str, str]:
    present = set(user_tables(cursor, vendor))
    sums: dict[str, str] = {}
    if vendor == "postgresql":
        for statement in _PG_SESSION:
            cursor.execute(statement)
    for table in tables:
        if table not in present:
            continue
        name = _quote(table)
        if vendor == "postgresql":
            cursor.execute(
                f"SELECT count(*), coalesce(sum(hashtext(t::text)::bigint), 0) FROM {name} t"
            )
            rows, total = cursor.fetchone()
            sums[table] = f"{rows}:{total}"
        else:
            digest = hashlib.sha256()
            cursor.execute(f"SELECT * FROM {name} ORDER BY rowid")
            while chunk := cursor.fetchmany(2000):
                for row in chunk:
                    digest.update(repr(tuple(row)).encode())
            sums[table] = digest.hexdigest()
    return sums


def pg_params(settings_dict: dict[str, Any], name: str | None = None) -> dict[str, str]:
    """libpq environment variables for the pg_* programs (the password never on a
    command line, where ``ps`` would show it)."""
    env = {
        "PGHOST": str(settings_dict.get("HOST") or ""),
        "PGPORT": str(settings_dict.get("PORT") or ""),
        "PGUSER": str(settings_dict.get("USER") or ""),
        "PGPASSWORD": str(settings_dict.get("PASSWORD") or ""),
        "PGDATABASE": name or str(settings_dict["NAME"]),
    }
    return {key: value for key, value in env.items() if value}


def pg_connect(dbname: str | None = None) -> Any:
    """A plain psycopg2 connection with the default database's settings (another
    database of the same server when ``dbname`` is given)."""
    import psycopg2
    from django.db import connection

    params = dict(connection.get_connection_params())
    if dbname is not None:
        params.pop("database", None)
        params["dbname"] = dbname
    return psycopg2.connect(**params)
