"""Background tasks of the collect app; each takes only a job id."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from sinergi.collect import imports, results


@db_task()  # type: ignore[untyped-decorator]  # huey ships no type hints
def run_import(job_id: int) -> None:
    imports.run_job(job_id)


@db_task()  # type: ignore[untyped-decorator]  # huey ships no type hints
def run_results_import(job_id: int) -> None:
    results.run_job(job_id)
