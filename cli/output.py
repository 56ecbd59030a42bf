"""Rendering for the terminal (rich) and for machines (`--json`)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from solverq.worker.store import JobRecord

stdout = Console()
stderr = Console(stderr=True)

STATUS_STYLES = {
    "queued": "cyan",
    "running": "yellow",
    "succeeded": "green",
    "failed": "red",
    "cancelled": "magenta",
}
MAX_SHOWN_VALUE = 80


def print_json(data: Any) -> None:
    """`data` as indented JSON on stdout, with nothing else."""
    typer.echo(json.dumps(data, indent=2))


def status_text(status: str) -> str:
    style = STATUS_STYLES.get(status, "")
    return f"[{style}]{status}[/{style}]" if style else status


def local_time(moment: datetime | None) -> str:
    """A moment in local time, to the second."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def short_time(moment: datetime | None) -> str:
    """A moment in local time, to the minute and without the year, for table rows."""
    return moment.astimezone().strftime("%m-%d %H:%M") if moment else ""


def duration(job: JobRecord) -> str:
    if job.started_at is None:
        return ""
    end = job.finished_at or datetime.now(job.started_at.tzinfo)
    return f"{(end - job.started_at).total_seconds():.2f}s"


def shown_value(value: Any) -> str:
    """A parameter or summary value, cut to fit one table cell."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 3] + "..."


def table_cell(value: Any) -> str:
    """A value in a table of many rows: numbers to 6 significant digits, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return escape(shown_value(value))


def print_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """Rows as CSV on stdout: strings as they are, other values as JSON, None as nothing."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
    typer.echo(buffer.getvalue(), nl=False)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def key_value_table(title: str, items: Mapping[str, Any], *, cut: bool = True) -> Table:
    """A two-column table of `items`; long values are cut to one cell unless `cut` is False."""
    table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in items.items():
        table.add_row(key, shown_value(value) if cut else str(value))
    return table


def print_job(job: JobRecord, *, with_params: bool = True) -> None:
    """The job's state, parameters, summary and arrays as tables."""
    state = {
        "id": job.id,
        "plugin": job.plugin,
        "status": job.status.value,
        "created": local_time(job.created_at),
        "duration": duration(job),
        "attempts": job.attempts,
    }
    if job.worker:
        state["worker"] = job.worker
    if job.status.value == "running":
        state["progress"] = f"{job.progress:.0%} {job.progress_message}".strip()
    if job.error:
        state["error"] = job.error
    stdout.print(key_value_table("job", state, cut=False))
    if with_params:
        stdout.print(key_value_table("parameters", job.params))
    if job.summary:
        stdout.print(key_value_table("summary", job.summary))
    if job.arrays:
        arrays = Table(title="arrays", title_justify="left", box=None, padding=(0, 2))
        for column in ("name", "shape", "dtype"):
            arrays.add_column(column)
        for name, info in job.arrays.items():
            arrays.add_row(name, "x".join(map(str, info["shape"])) or "scalar", info["dtype"])
        stdout.print(arrays)


def print_warnings(job: JobRecord) -> None:
    """Each entry of the `warnings` list of the job's summary, if it has one, on stderr: what a
    run that succeeded fell short of."""
    warnings = (job.summary or {}).get("warnings")
    if isinstance(warnings, list):
        for warning in warnings:
            typer.echo(f"warning: {warning}", err=True)


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[float, str], None]]:
    """A live progress bar on stderr (when it is a terminal); yields the listener that moves it."""
    if not stderr.is_terminal:
        yield lambda fraction, message: None
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[message]}"),
        console=stderr,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=1.0, message="")

        def listener(fraction: float, message: str) -> None:
            progress.update(task, completed=fraction, message=message)

        yield listener
