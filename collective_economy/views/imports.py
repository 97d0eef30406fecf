"""TODO docstring."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from collective_economy.core import importing
from collective_economy.forms import ImportForm
from collective_economy.models import (
    ImportJob,
)
from collective_economy.services import imports as import_services
from jinhu.core.forms import apply_errors
from jinhu.core.requests import AuthedRequest


@login_required
def import_accounts(request: AuthedRequest) -> HttpResponse:
    """Upload a spreadsheet; it is checked (and, once confirmed, imported) in the background."""
    if not request.user.has_perm("collective_economy.import_accounts"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_services.import_job_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                data=upload.read(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("economy:import_job", pk=job.pk)
    return render(
        request,
        "collective_economy/import.html",
        {
            "form": form,
            "jobs": ImportJob.objects.filter(created_by=request.user).defer("data")[:10],
            "columns": importing.KINDS,
        },
    )


@login_required
def import_job(request: AuthedRequest, pk: int) -> HttpResponse:
    """A job's progress, then its result: the errors row by row, or what was written."""
    job = get_object_or_404(ImportJob.objects.defer("data"), pk=pk, created_by=request.user)
    if request.method == "POST":
        try:
            job = import_services.import_job_confirm(actor=request.user, job=job)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("economy:import_job", pk=job.pk)
    return render(
        request,
        "collective_economy/import_job.html",
        {
            "job": job,
            "progress": import_services.import_progress(job.pk) if job.in_progress else None,
        },
    )
