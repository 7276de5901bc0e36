"""Background tasks of the assessments app; each takes only a job id."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import close_db, db_periodic_task, db_task, on_startup

from sinergi.assessments import rescoring
from sinergi.assessments.models import RescoreJob


@db_task()  # type: ignore[untyped-decorator]  # huey ships no type hints
def rescore(job_id: int) -> None:
    rescoring.run_rescore(job_id)


def enqueue(job: RescoreJob) -> None:
    rescore(job.pk)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey ships no type hints
def recover_stalled_rescores() -> None:
    """Re-scores whose consumer was killed: queued again or failed (recover_rescores)."""
    rescoring.recover_rescores(enqueue)


@on_startup()  # type: ignore[untyped-decorator]  # huey ships no type hints
@close_db  # type: ignore[untyped-decorator]  # huey ships no type hints
def recover_rescores_at_start() -> None:
    """The same when a consumer starts (in each of its workers): a job whose consumer was
    killed longer than JOB_STALE_SECONDS ago is taken up at once, a later one by the
    periodic task."""
    rescoring.recover_rescores(enqueue)
