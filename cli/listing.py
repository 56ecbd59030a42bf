"""Finding and comparing jobs: `solverq list` and `solverq compare`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from solverq.cli.fitted import Column, FittedTable, fitted_table, one_line, print_fitted
from solverq.cli.output import (
    SHORT_ID,
    cell_text,
    duration,
    print_csv,
    print_json,
    short_time,
    status_cell,
    status_text,
    stdout,
    table_cell,
)

if TYPE_CHECKING:
    from solverq.worker.store import JobRecord

JOB_COLUMNS = ("id", "plugin", "status", "sweep_id", "created_at", "finished_at", "error")
MAX_LIST_LIMIT = 1_000_000


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
    tag: Annotated[
        list[str] | None,
        typer.Option(metavar="KEY=VALUE", help="Only jobs with this tag. Repeatable."),
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
    from solverq.worker.job_search import find_jobs, flatten
    from solverq.worker.store.job_filters import parse_tags, parse_where

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
        tags=parse_tags(tag or []),
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
            row.update(flatten(job.tags, "tags."))
            row.update(flatten(job.params, "params."))
            row.update(flatten(job.summary or {}, "summary."))
            rows.append(row)
        values = sorted({column for row in rows for column in row} - set(JOB_COLUMNS))
        print_csv([*JOB_COLUMNS, *values], rows)
        return
    metric = sort.lstrip("-") if sort else None
    if not jobs:
        typer.echo("no jobs match", err=True)
        return
    print_fitted(stdout, _jobs_table(jobs, metric), "outcome")


def _jobs_table(jobs: list[JobRecord], metric: str | None) -> FittedTable:
    """One line per job; its outcome is its plugin's headline metrics, its error or, while it
    runs, its progress message."""
    from solverq.worker.job_search import lookup

    columns = [
        Column("id", [Text(job.id[:SHORT_ID]) for job in jobs], cut=False),
        Column("plugin", [Text(job.plugin) for job in jobs]),
        Column("status", [status_cell(job.status.value) for job in jobs], cut=False),
        Column("created", [Text(short_time(job.created_at)) for job in jobs], cut=False),
        Column("duration", [Text(duration(job)) for job in jobs], cut=False),
    ]
    if metric:
        cells = [Text(cell_text(lookup(job.summary or {}, metric))) for job in jobs]
        columns.append(Column(metric, cells))
    tags = [" ".join(f"{key}={value}" for key, value in sorted(job.tags.items())) for job in jobs]
    if any(tags):
        columns.append(Column("tags", [Text(tagged) for tagged in tags]))
    from solverq.plugins.registry import headline_metrics

    headlines = {plugin: headline_metrics(plugin) for plugin in {job.plugin for job in jobs}}
    outcomes = [one_line(_outcome(job, headlines[job.plugin], metric)) for job in jobs]
    columns.append(Column("outcome", outcomes, note=True))
    return fitted_table(columns, stdout.width)


def _outcome(job: JobRecord, headline: tuple[str, ...], shown: str | None) -> str:
    """`mse=0.0123  r2=0.987` for a job that succeeded (the `headline` metrics but the one
    `shown` in a column of its own), else its error or progress message; then its note."""
    from solverq.worker.job_search import lookup

    if job.status.value == "running":
        outcome = job.progress_message
    elif job.error or job.summary is None:
        outcome = job.error or ""
    else:
        values = {key: lookup(job.summary, key) for key in headline}
        outcome = "  ".join(
            f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={cell_text(value)}"
            for key, value in values.items()
            if value is not None and key != shown
        )
    return "  ".join(part for part in (outcome, job.note or "") if part)


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
    table = Table("", *(job.id[:SHORT_ID] for job in comparison.jobs), box=None, padding=(0, 2))
    table.add_row("plugin", *(escape(job.plugin) for job in comparison.jobs))
    table.add_row("status", *(status_text(job.status.value) for job in comparison.jobs))
    if any(job.note for job in comparison.jobs):
        table.add_row("note", *(table_cell(job.note) for job in comparison.jobs))
    sections = (
        ("tags", comparison.tags),
        ("parameters", comparison.params),
        ("summary", comparison.summary),
    )
    for title, values in sections:
        if not values and title == "tags":
            continue
        table.add_section()
        table.add_row(f"[bold]{title}[/bold]")
        for key, row in values.items():
            table.add_row(escape(key), *(table_cell(value) for value in row))
    stdout.print(table)
