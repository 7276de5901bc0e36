"""Background tasks of the assessments app; each takes only a job id."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from sinergi.assessments import rescoring


@db_task()  # type: ignore[untyped-decorator]  # huey ships no type hints
def rescore(job_id: int) -> None:
    rescoring.run_rescore(job_id)
