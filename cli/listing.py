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
    jobs = comparison.jobs
    heading = {"plugin": [escape(job.plugin) for job in jobs]}
    heading["status"] = [status_text(job.status.value) for job in jobs]
    if any(job.note for job in jobs):
        heading["note"] = [table_cell(job.note) for job in jobs]
    sections = {"tags": comparison.tags, "parameters": comparison.params}
    sections["summary"] = comparison.summary
    body = {
        title: {key: [table_cell(value) for value in row] for key, row in values.items()}
        for title, values in sections.items()
        if values or title != "tags"
    }
    ids = [job.id[:SHORT_ID] for job in jobs]
    columns = [[ids[j], *(row[j] for row in _rows(heading, body))] for j in range(len(jobs))]
    labels = [*heading, *body, *(key for rows in body.values() for key in rows)]
    for number, group in enumerate(side_by_side(labels, columns, stdout.width)):
        if number:
            stdout.print()
        table = Table("", *(ids[j] for j in group), box=None, padding=(0, 2))
        for key, row in heading.items():
            table.add_row(key, *(row[j] for j in group))
        for title, rows in body.items():
            table.add_section()
            table.add_row(f"[bold]{title}[/bold]")
            for key, row in rows.items():
                table.add_row(escape(key), *(row[j] for j in group))
        stdout.print(table)


def _rows(heading: dict[str, list[str]], body: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    return [*heading.values(), *(row for rows in body.values() for row in rows.values())]


def side_by_side(labels: list[str], columns: list[list[str]], width: int) -> list[list[int]]:
    """The columns (lists of markup cells) in groups, each printed as a table of its own beside
    the labels, so that every label and cell shows whole within `width` characters; a column
    wider than that on its own is a group of its own."""
    padding = 4  # two spaces either side of each column (`padding=(0, 2)`)
    label_width = max(map(cell_width, labels), default=0) + padding
    groups: list[list[int]] = []
    used = width
    for index, column in enumerate(columns):
        column_width = max(map(cell_width, column)) + padding
        if not groups or used + column_width > width:
            groups.append([])
            used = label_width
        groups[-1].append(index)
        used += column_width
    return groups


def cell_width(markup: str) -> int:
    """Characters a markup cell takes on the terminal."""
    return Text.from_markup(markup).cell_len
