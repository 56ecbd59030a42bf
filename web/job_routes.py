"""Jobs: the API (`/api/jobs`, `/api/compare`) and the pages (`/jobs`, `/jobs/ID`, `/compare`),
over the job service as `solverq submit`, `list`, `status`, `result`, `cancel`, `compare` and
`plot` use it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

import numpy as np
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from solverq.plugins.arrays import exported
from solverq.plugins.errors import SolverqError
from solverq.plugins.registry import discover
from solverq.web.auth import require_api_access, require_page_access
from solverq.web.rendering import page, png, settings_of
from solverq.web.submissions import JobRequest, created, read_submission, request_body
from solverq.worker import service
from solverq.worker.figures import job_figure
from solverq.worker.job_search import compare_jobs, find_jobs, lookup
from solverq.worker.settings import Settings
from solverq.worker.store import JobRecord, JobStatus
from solverq.worker.store.factory import job_store
from solverq.worker.store.job_filters import MAX_ROWS, parse_where

MAX_PAGE = 1000
PAGE_SIZES = (25, 50, 100, 200)

api = APIRouter(prefix="/api", tags=["jobs"], dependencies=[Depends(require_api_access)])
pages = APIRouter(include_in_schema=False, dependencies=[Depends(require_page_access)])

SettingsDependency = Annotated[Settings, Depends(settings_of)]
JobIds = Annotated[list[str], Query(alias="job", description="Two or more job ids or prefixes.")]


@dataclass(frozen=True)
class JobPage:
    """One page of the jobs that `solverq list`'s filters name."""

    filters: dict[str, Any]
    jobs: list[JobRecord]
    limit: int
    offset: int
    more: bool
    """Whether jobs follow this page."""

    def to_json(self) -> dict[str, Any]:
        return {
            "jobs": [job.to_json() for job in self.jobs],
            "limit": self.limit,
            "offset": self.offset,
            "next_offset": self.offset + self.limit if self.more else None,
        }


def listed_jobs(
    settings: SettingsDependency,
    plugin: Annotated[str | None, Query(description="Only jobs of this plugin.")] = None,
    status: Annotated[
        str | None, Query(description="queued, running, succeeded, failed or cancelled.")
    ] = None,
    sweep: Annotated[str | None, Query(description="Only the jobs of this sweep.")] = None,
    where: Annotated[
        list[str] | None,
        Query(description="KEY=VALUE: only jobs whose parameter KEY equals the JSON VALUE."),
    ] = None,
    since: Annotated[str | None, Query(description="An ISO date or time, or 2h, 3d.")] = None,
    until: Annotated[str | None, Query(description="An ISO date or time, or 2h, 3d.")] = None,
    sort: Annotated[
        str | None, Query(description="A summary metric, smallest first; -METRIC largest first.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Jobs per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ROWS, description="Jobs to skip.")] = 0,
) -> JobPage:
    """The jobs the query names, a page of them (blank filters are no filters)."""
    filters: dict[str, Any] = {
        "plugin": plugin,
        "status": status,
        "sweep": sweep,
        "since": since,
        "until": until,
        "sort": sort,
    }
    filters = {key: value.strip() for key, value in filters.items() if value and value.strip()}
    assignments = [text for text in where or [] if text.strip()]
    jobs = find_jobs(
        **filters,
        where=parse_where(assignments),
        limit=limit + 1,
        offset=offset,
        settings=settings,
    )
    filters["where"] = assignments
    return JobPage(filters, jobs[:limit], limit, offset, len(jobs) > limit)


ListedJobs = Annotated[JobPage, Depends(listed_jobs)]


@api.get("/jobs", summary="List jobs (the filters of `solverq list`), a page at a time")
def list_jobs(jobs: ListedJobs) -> dict[str, Any]:
    return jobs.to_json()


@api.post(
    "/jobs",
    status_code=201,
    summary="Submit a job: JSON, or a form with the JSON and an .npz of input arrays",
    openapi_extra=request_body(JobRequest),
)
async def submit_job(request: Request) -> JSONResponse:
    submission, inputs = await read_submission(request, JobRequest)
    settings = settings_of(request)
    job = service.submit(
        submission.plugin,
        submission.params,
        inputs,
        time_limit=submission.time_limit,
        queue=submission.queue,
        settings=settings,
        runner=request.app.state.runner,
    )
    return created(job.to_json(), f"/api/jobs/{job.id}")


@api.get("/jobs/{job_id}", summary="A job: state, progress, parameters, summary")
def get_job(job_id: str, settings: SettingsDependency) -> dict[str, Any]:
    return service.job_status(job_id, settings=settings).to_json()


@api.get("/jobs/{job_id}/arrays", summary="A succeeded job's result arrays as .npz")
def job_arrays(job_id: str, settings: SettingsDependency) -> Response:
    store = job_store(settings)
    job = succeeded(store.get(job_id))
    buffer = io.BytesIO()
    np.savez(buffer, **exported(store.result_arrays(job.id)))  # type: ignore[arg-type]  # names
    disposition = f'attachment; filename="{job.id}.npz"'
    return Response(
        buffer.getvalue(),
        media_type="application/octet-stream",
        headers={"Content-Disposition": disposition},
    )


@api.get("/jobs/{job_id}/plot.png", summary="The figure the job's plugin draws of its result")
def job_plot(job_id: str, settings: SettingsDependency) -> Response:
    job = job_store(settings).get(job_id)
    return png(job_figure(job.id, settings=settings))


@api.post("/jobs/{job_id}/cancel", summary="Cancel a queued or running job")
def cancel_job(job_id: str, settings: SettingsDependency) -> dict[str, Any]:
    return cancelled(job_id, settings).to_json()


@api.get("/compare", tags=["jobs"], summary="Jobs side by side: differing parameters, summaries")
def compare(job_ids: JobIds, settings: SettingsDependency) -> dict[str, Any]:
    return compare_jobs(job_ids, settings=settings).to_json()


@pages.get("/", response_class=RedirectResponse)
def home() -> RedirectResponse:
    return RedirectResponse("/jobs", status_code=303)


@pages.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, jobs: ListedJobs) -> HTMLResponse:
    metric = jobs.filters.get("sort", "").lstrip("-") or None
    values = [lookup(job.summary or {}, metric) if metric else None for job in jobs.jobs]
    context = {
        "page": jobs,
        "metric": metric,
        "metric_values": values,
        "plugins": list(discover()),
        "statuses": [status.value for status in JobStatus],
        "page_sizes": PAGE_SIZES,
        "query": query_without(request, "offset"),
        "sort_toggle": reversed_sort(request, jobs.filters.get("sort")),
    }
    return page(request, "jobs.html", context)


@pages.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, settings: SettingsDependency) -> HTMLResponse:
    job = service.job_status(job_id, settings=settings)
    summary = dict(job.summary or {})
    warnings = summary.pop("warnings", None) or []
    provenance = job.to_json().get("provenance")
    context = {"job": job, "summary": summary, "warnings": warnings, "provenance": provenance}
    return page(request, "job.html", context)


@pages.post("/jobs/{job_id}/cancel", response_class=RedirectResponse)
def cancel_job_page(job_id: str, settings: SettingsDependency) -> RedirectResponse:
    job = cancelled(job_id, settings)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@pages.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    settings: SettingsDependency,
    job_ids: Annotated[list[str] | None, Query(alias="job")] = None,
) -> HTMLResponse:
    ids = [text.strip() for text in job_ids or [] if text.strip()]
    comparison = compare_jobs(ids, settings=settings) if ids else None
    return page(request, "compare.html", {"comparison": comparison, "ids": ids})


def succeeded(job: JobRecord) -> JobRecord:
    """The job, when it succeeded: `SolverqError` with the reason otherwise, as `solverq result`."""
    if job.status is JobStatus.SUCCEEDED:
        return job
    if not job.finished:
        raise SolverqError(
            f"job {job.id} is {job.status.value} ({job.progress:.0%}); it has no result yet"
        )
    raise SolverqError(f"job {job.id} {job.status.value}: {job.error}")


def cancelled(job_id: str, settings: Settings) -> JobRecord:
    """Cancel the job, or `SolverqError` when it had already finished, as `solverq cancel`."""
    job = service.cancel(job_id, settings=settings)
    if job.status is not JobStatus.CANCELLED:
        raise SolverqError(f"job {job.id} already {job.status.value}; nothing to cancel")
    return job


def query_without(request: Request, *names: str) -> str:
    """The request's query string without the parameters `names` (for paging links)."""
    kept = [(key, value) for key, value in request.query_params.multi_items() if key not in names]
    return urlencode(kept)


def reversed_sort(request: Request, sort: str | None) -> str:
    """The request's query string sorted the other way, from its first page."""
    if not sort:
        return ""
    flipped = sort[1:] if sort.startswith("-") else f"-{sort}"
    kept = query_without(request, "sort", "offset")
    return f"{kept}&{urlencode({'sort': flipped})}" if kept else urlencode({"sort": flipped})
