"""Background tasks of the collect app; each takes only a job id."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import close_db, db_periodic_task, db_task, on_startup

from sinergi.collect import imports, jobs, results
from sinergi.collect.choices import JobKind
from sinergi.collect.models import ImportJob


@db_task()  # type: ignore[untyped-decorator]  # huey ships no type hints
def run_import(job_id: int) -> None:
    imports.run_job(job_id)


@db_task()  # type: ignore[untyped-decorator]  # huey ships no type hints
def run_results_import(job_id: int) -> None:
    results.run_job(job_id)


def enqueue(job: ImportJob) -> None:
    """Queue the task of the job's kind."""
    (run_results_import if job.kind == JobKind.RESULTS else run_import)(job.pk)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey ships no type hints
def recover_stalled_imports() -> None:
    """Imports whose consumer was killed: queued again or failed (jobs.recover_imports)."""
    jobs.recover_imports(enqueue)


@on_startup()  # type: ignore[untyped-decorator]  # huey ships no type hints
@close_db  # type: ignore[untyped-decorator]  # huey ships no type hints
def recover_imports_at_start() -> None:
    """The same when a consumer starts (in each of its workers): a job whose consumer was
    killed longer than JOB_STALE_SECONDS ago is taken up at once, a later one by the
    periodic task."""
    jobs.recover_imports(enqueue)
