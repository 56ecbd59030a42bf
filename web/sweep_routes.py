"""Sweeps: the API (`/api/sweeps`) and the page (`/sweeps/ID`), over the sweep service as
`solverq sweep`, `sweep status`, `sweep table` and `plot SWEEP` use it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from solverq.web.auth import require_api_access, require_page_access
from solverq.web.rendering import page, png, settings_of
from solverq.web.submissions import SweepRequest, created, read_submission, request_body
from solverq.worker.csv_rows import csv_text
from solverq.worker.figures import sweep_figure
from solverq.worker.settings import Settings
from solverq.worker.store import JobStatus, SweepRecord
from solverq.worker.store.factory import sweep_store
from solverq.worker.sweep_service import SweepTable, submit_sweep, sweep_table

api = APIRouter(prefix="/api", tags=["sweeps"], dependencies=[Depends(require_api_access)])
pages = APIRouter(include_in_schema=False, dependencies=[Depends(require_page_access)])

SettingsDependency = Annotated[Settings, Depends(settings_of)]
Metrics = Annotated[
    list[str] | None,
    Query(alias="metric", description="Summary values for the table (default: every one)."),
]
Axis = Annotated[str | None, Query(description="A swept parameter.")]


@api.post(
    "/sweeps",
    status_code=201,
    summary="Submit one job per point of a grid: JSON, or a form with an .npz of input arrays",
    openapi_extra=request_body(SweepRequest),
)
async def submit(request: Request) -> JSONResponse:
    submission, inputs = await read_submission(request, SweepRequest)
    sweep = submit_sweep(
        submission.plugin,
        submission.grid,
        submission.params,
        inputs,
        time_limit=submission.time_limit,
        queue=submission.queue,
        settings=settings_of(request),
        runner=request.app.state.runner,
    )
    return created(sweep.to_json(), f"/api/sweeps/{sweep.id}")


@api.get("/sweeps/{sweep_id}", summary="A sweep: its grid and how many jobs are in each state")
def get_sweep(sweep_id: str, settings: SettingsDependency) -> dict[str, Any]:
    return progress_json(sweep_store(settings).get(sweep_id))


@api.get("/sweeps/{sweep_id}/table", summary="One row per job: swept values, summary metrics")
def table(sweep_id: str, settings: SettingsDependency, metric: Metrics = None) -> dict[str, Any]:
    result = sweep_table(sweep_id, metric or None, settings=settings)
    return {"sweep": result.sweep.id, "columns": result.columns, "rows": result.rows}


@api.get("/sweeps/{sweep_id}/table.csv", summary="The sweep's table as CSV")
def table_csv(sweep_id: str, settings: SettingsDependency, metric: Metrics = None) -> Response:
    result = sweep_table(sweep_id, metric or None, settings=settings)
    disposition = f'attachment; filename="sweep-{result.sweep.id}.csv"'
    return Response(
        csv_text(result.columns, result.rows),
        media_type="text/csv",
        headers={"Content-Disposition": disposition},
    )


@api.get("/sweeps/{sweep_id}/plot.png", summary="A metric over the grid: lines or a heat map")
def plot(
    sweep_id: str,
    settings: SettingsDependency,
    metric: Annotated[str, Query(description="The summary value to plot.")],
    x: Axis = None,
    y: Axis = None,
) -> Response:
    sweep_id = sweep_store(settings).resolve(sweep_id)
    return png(sweep_figure(sweep_id, x=x, y=y, metric=metric, settings=settings))


@pages.get("/sweeps/{sweep_id}", response_class=HTMLResponse)
def sweep_page(
    request: Request,
    sweep_id: str,
    settings: SettingsDependency,
    metric: str | None = None,
    x: str | None = None,
    y: str | None = None,
) -> HTMLResponse:
    result = sweep_table(sweep_id, settings=settings)
    numeric = numeric_metrics(result)
    metric = metric or default_metric(result, numeric)
    swept = [key for key, values in result.sweep.grid.items() if len(values) > 1]
    x = x or (swept[0] if swept else next(iter(result.sweep.grid)))
    if y is None and len(swept) == 2:
        y = next(key for key in swept if key != x)
    context = {
        "sweep": result.sweep,
        "table": result,
        "metrics": numeric,
        "metric": metric,
        "swept": list(result.sweep.grid),
        "x": x,
        "y": y or "",
        "plotted": metric is not None and result.sweep.counts[JobStatus.SUCCEEDED] > 0,
    }
    return page(request, "sweep.html", context)


def progress_json(sweep: SweepRecord) -> dict[str, Any]:
    """The sweep's record with how many of its jobs have finished."""
    return {**sweep.to_json(), "done": sweep.done, "finished": sweep.finished}


def numeric_metrics(result: SweepTable) -> list[str]:
    """The metrics of the table that some job has a number for: those that can be plotted."""
    return [
        metric
        for metric, column in result.metrics.items()
        if any(
            isinstance(row[column], int | float) and not isinstance(row[column], bool)
            for row in result.rows
        )
    ]


def default_metric(result: SweepTable, metrics: list[str]) -> str | None:
    """The metric a sweep's page plots first: the first that is not a swept parameter and
    differs between jobs, else the first there is."""
    for metric in metrics:
        column = result.metrics[metric]
        values = {repr(row[column]) for row in result.rows if row[column] is not None}
        if metric not in result.sweep.grid and len(values) > 1:
            return metric
    return metrics[0] if metrics else None
