"""TODO docstring."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from collective_economy.core import importing
from collective_economy.models import AnnualAccount, ImportJob, MonthlyAccount
from jinhu.core import clock, queue
from villages.selectors import Village


# ---------------------------------------------------------------------------
# Imports: a spreadsheet checked, then written all or nothing, in the background
# ---------------------------------------------------------------------------
def _progress_key(job_id: int) -> str:
    return f"economy-import-progress:{job_id}"


def import_progress(job_id: int) -> int | None:
    """Rows handled so far by the running step (an accelerator: None without Redis)."""
    from django.core.cache import cache

    rows = cache.get(_progress_key(job_id))
    return int(rows) if rows is not None else None


def _note_progress(job_id: int, rows: int) -> None:
    from django.core.cache import cache

    cache.set(_progress_key(job_id), rows, 3600)


def import_job_create(*, actor: User, kind: str, file_name: str, data: bytes) -> ImportJob:
    """Keep the upload and queue its check (a task: files of any size)."""
    if kind not in importing.KINDS:
        raise ValidationError({"kind": _("请选择数据类型。")})
    villages = Village.objects.for_user(actor)
    if not any(actor.has_perm("collective_economy.import_figures", v) for v in villages):
        raise PermissionDenied(_("您无权导入集体经济数据。"))
    job = ImportJob.objects.create(
        kind=kind,
        file_name=file_name[:200],
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        created_by=actor,
    )
    queue.enqueue_on_commit("economy.import_check", job.pk)
    return job


def _importable_codes(actor: User) -> dict[str, int]:
    return {
        code: pk
        for code, pk in Village.objects.for_user(actor).values_list("code", "pk")
        if actor.has_perm("collective_economy.import_figures", Village(pk=pk))
    }


def _check_job(job: ImportJob) -> importing.Checked:
    header, rows, fmt = importing.read_table(bytes(job.data), job.file_name)
    job.file_format = fmt
    return importing.check(
        job.kind,
        header,
        rows,
        villages=_importable_codes(job.created_by),
        today=clock.today(),
        progress=lambda n: _note_progress(job.pk, n),
    )


def _finish(job: ImportJob, status: str, **fields: Any) -> None:
    job.status = status
    job.finished_at = clock.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()


def import_job_check(job_id: int) -> str | None:
    """Check every row of the file; nothing is written."""
    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.CHECKING).first()
    if job is None:
        return None
    try:
        checked = _check_job(job)
    except importing.FileRefused as exc:
        _finish(job, ImportJob.Status.INVALID, message=str(exc)[:300])
        return job.status
    if checked.error_count:
        _finish(
            job,
            ImportJob.Status.INVALID,
            rows=checked.rows,
            error_count=checked.error_count,
            errors=checked.errors,
            message=_("发现 %(n)s 行有错误，未保存任何数据。") % {"n": checked.error_count},
        )
    else:
        new, updated, unchanged = _preview(job.kind, checked.records)
        _finish(
            job,
            ImportJob.Status.CHECKED,
            rows=checked.rows,
            new=new,
            updated=updated,
            unchanged=unchanged,
        )
    return job.status


@transaction.atomic
def import_job_confirm(*, actor: User, job: ImportJob) -> ImportJob:
    """The importer confirms a checked file; the import runs in the background."""
    if job.created_by_id != actor.pk:
        raise PermissionDenied(_("只能确认自己上传的文件。"))
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CHECKED).update(
        status=ImportJob.Status.IMPORTING
    )
    if not updated:
        job.refresh_from_db()
        raise ValidationError(
            _("该文件当前状态为“%(s)s”，不能再次导入。") % {"s": job.get_status_display()}
        )
    queue.enqueue_on_commit("economy.import_apply", job.pk)
    job.refresh_from_db()
    return job


def import_job_apply(job_id: int) -> str | None:
    """Check again (scopes and figures may have changed) and write every row in one
    transaction: all or nothing. Imports of the same kind are serialised, so a file
    imported twice at once is written once and reported unchanged the second time."""
    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.IMPORTING).first()
    if job is None:
        return None
    try:
        with transaction.atomic():
            _lock(f"economy-import-{job.kind}")
            checked = _check_job(job)
            if checked.error_count:
                raise importing.FileRefused(
                    _("导入前复核发现 %(n)s 行有错误（数据或权限已变化），未保存任何数据。")
                    % {"n": checked.error_count}
                )
            new, updated, unchanged = _write(job.kind, checked.records, job.created_by)
            _finish(
                job,
                ImportJob.Status.DONE,
                rows=checked.rows,
                new=new,
                updated=updated,
                unchanged=unchanged,
            )
    except importing.FileRefused as exc:
        _finish(ImportJob.objects.get(pk=job_id), ImportJob.Status.FAILED, message=str(exc)[:300])
    return ImportJob.objects.get(pk=job_id).status


def _lock(name: str) -> None:
    """A transaction-scoped lock on ``name`` (PostgreSQL; SQLite serialises writers)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


_COLUMNS = {
    "monthly": ("operating_income", "other_income", "expenses"),
    "annual": (
        "total_income",
        "operating_income",
        "other_income",
        "expenses",
        "per_capita_net_income",
        "is_final",
    ),
}


_MODELS: dict[str, Any] = {  # (MonthlyAccount or AnnualAccount, by kind)
    "monthly": MonthlyAccount,
    "annual": AnnualAccount,
}


def _existing(kind: str, records: list[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    keys = importing.KEYS[kind]
    model = _MODELS[kind]
    villages = {r["village"] for r in records}
    years = {r["year"] for r in records}
    rows = model.objects.filter(village_id__in=villages, year__in=years).values_list(
        "village_id", *keys[1:], *_COLUMNS[kind], "pk"
    )
    width = len(keys)
    return {tuple(row[:width]): (row[width:-1], row[-1]) for row in rows}


def _preview(kind: str, records: list[dict[str, Any]]) -> tuple[int, int, int]:
    """How many rows would be new, changed, unchanged (read only)."""
    existing = _existing(kind, records)
    keys, columns = importing.KEYS[kind], _COLUMNS[kind]
    new = updated = 0
    for record in records:
        found = existing.get(tuple(record[k] for k in keys))
        if found is None:
            new += 1
        elif found[0] != tuple(record[c] for c in columns):
            updated += 1
    return new, updated, len(records) - new - updated


def _write(kind: str, records: list[dict[str, Any]], actor: User) -> tuple[int, int, int]:
    """Insert new rows, update changed ones, leave the rest; returns the three counts."""
    model = _MODELS[kind]
    keys, columns = importing.KEYS[kind], _COLUMNS[kind]
    existing = _existing(kind, records)
    now = clock.now()
    create, change = [], []
    for record in records:
        values = tuple(record[c] for c in columns)
        found = existing.get(tuple(record[k] for k in keys))
        fields = {
            "village_id": record["village"],
            **{k: record[k] for k in keys[1:]},
            **dict(zip(columns, values, strict=True)),
            "updated_by": actor,
        }
        if found is None:
            create.append(model(**fields))
        elif found[0] != values:
            change.append(model(pk=found[1], updated_at=now, **fields))
    model.objects.bulk_create(create, batch_size=2000)
    model.objects.bulk_update(change, [*columns, "updated_by", "updated_at"], batch_size=500)
    return len(create), len(change), len(records) - len(create) - len(change)
