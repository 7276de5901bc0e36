"""Writes of the collect app: queueing an uploaded spreadsheet."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from sinergi.accounts.models import User, account_of
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.collect import tasks
from sinergi.collect.choices import JobKind
from sinergi.collect.models import ImportJob


def queue_import(
    *, user: User | AnonymousUser, upload: UploadedFile, kind: str = JobKind.ACTORS
) -> ImportJob:
    """Store the file under a random name, record the upload, and queue the job once committed.

    The task (one per kind) is enqueued after the transaction so the worker always finds
    the row.
    """
    name = PurePath(upload.name or "upload.xlsx").name
    suffix = PurePath(name).suffix.lower() or ".xlsx"
    with transaction.atomic():
        job = ImportJob(kind=kind, uploaded_by=account_of(user), original_name=name[:255])
        job.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
        job.save()
        record(user, Action.IMPORT, job, note="uploaded")
    run = tasks.run_results_import if kind == JobKind.RESULTS else tasks.run_import
    run(job.pk)
    return job
