"""Finding and comparing jobs: `solverq list` and `solverq compare`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from solverq.cli.output import (
    duration,
    print_csv,
    print_json,
    short_time,
    status_text,
    stdout,
    table_cell,
)

JOB_COLUMNS = ("id", "plugin", "status", "sweep_id", "created_at", "finished_at", "error")

MAX_LIST_LIMIT = 1_000_000
NOTE_WIDTH = 24
MIN_WIDTHS = {"id": 12, "plugin": 6, "status": len("succeeded"), "created": len("11-26 18:12")}


def list_jobs(
    plugin: Annotated[str | None, typer.Option(help="Only jobs of this plugin.")] = None,
    status: Annotated[
        str | None,
        typer.Option(
            help="Only jobs in this state: queued, running, succeeded, failed, cancelled."
        ),
    ] = None,
    sweep: Annotated[str | None, typer.Option(help="Only the jobs of this sweep.")] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Only jobs created since: a date or time (ISO), or a time ago (2h, 3d)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="Only jobs created until: a date or time (ISO), or a time ago (2h)."),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            metavar="KEY=VALUE",
            help=(
                "Only jobs whose parameter KEY (dotted for an entry: constants.gamma) equals the "
                "JSON VALUE; numbers match within 1e-9. Repeatable."
            ),
        ),
    ] = None,
    sort: Annotated[
        str | None,
        typer.Option(
            metavar="METRIC",
            help="Sort by a summary value, smallest first (-METRIC: largest first); jobs "
            "without it come last.",
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many jobs.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON records.")] = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print CSV: one column per parameter and summary value.")
    ] = False,
) -> None:
    """List jobs, newest first or by a summary metric."""
    from solverq.plugins.errors import RejectedRequest
    from solverq.worker.job_search import find_jobs, flatten, lookup
    from solverq.worker.store.job_filters import parse_where

    if as_json and as_csv:
        raise RejectedRequest("choose one of --json and --csv")
    if limit > MAX_LIST_LIMIT:
        raise RejectedRequest(f"--limit must be at most {MAX_LIST_LIMIT:,}, got {limit:.3g}")
    jobs = find_jobs(
        plugin=plugin,
        status=status,
        sweep=sweep,
        since=since,
        until=until,
        where=parse_where(where or []),
        sort=sort,
        limit=limit,
    )
    if as_json:
        print_json([job.to_json() for job in jobs])
        return
    if as_csv:
        rows = []
        for job in jobs:
            record = job.to_json()
            row = {column: record[column] for column in JOB_COLUMNS}
            row.update(flatten(job.params, "params."))
            row.update(flatten(job.summary or {}, "summary."))
            rows.append(row)
        values = sorted({column for row in rows for column in row} - set(JOB_COLUMNS))
        print_csv([*JOB_COLUMNS, *values], rows)
        return
    metric = sort.lstrip("-") if sort else None
    notes = [
        job.error or (job.progress_message if job.status.value == "running" else "") for job in jobs
    ]
    table = Table(box=None, padding=(0, 1))
    for header in ("id", "plugin", "status", "created", "duration", *([metric] if metric else [])):
        table.add_column(header, no_wrap=True, min_width=MIN_WIDTHS.get(header))
    if any(notes):
        table.add_column("note", no_wrap=True, overflow="ellipsis", max_width=NOTE_WIDTH)
    for job, note in zip(jobs, notes, strict=True):
        shown = [table_cell(lookup(job.summary or {}, metric))] if metric else []
        table.add_row(
            job.id[:12],
            job.plugin,
            status_text(job.status.value),
            short_time(job.created_at),
            duration(job),
            *shown,
            *([note] if any(notes) else []),
        )
    stdout.print(table)


def compare(
    job_ids: Annotated[
        list[str], typer.Argument(metavar="JOB JOB...", help="Two or more job ids or prefixes.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show jobs side by side: the parameters that differ and their summaries."""
    from solverq.worker.job_search import compare_jobs

    comparison = compare_jobs(job_ids)
    if as_json:
        print_json(comparison.to_json())
        return
    table = Table("", *(job.id[:12] for job in comparison.jobs), box=None, padding=(0, 2))
    table.add_row("plugin", *(job.plugin for job in comparison.jobs))
    table.add_row("status", *(status_text(job.status.value) for job in comparison.jobs))
    for title, values in (("parameters", comparison.params), ("summary", comparison.summary)):
        table.add_section()
        table.add_row(f"[bold]{title}[/bold]")
        for key, row in values.items():
            table.add_row(key, *(table_cell(value) for value in row))
    stdout.print(table)
