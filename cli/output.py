"""Rendering for the terminal (rich) and for machines (`--json`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from solverq.worker.csv_rows import csv_text

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
SHORT_ID = 12
"""Characters of a job or sweep id in a table row: unique in practice, and a valid prefix."""


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
    """A moment in local time, to the minute, for table rows: the time alone today, else
    with the month and day."""
    if moment is None:
        return ""
    local = moment.astimezone()
    today = datetime.now(local.tzinfo).date()
    return local.strftime("%H:%M" if local.date() == today else "%m-%d %H:%M")


def duration(job: JobRecord) -> str:
    seconds = job.run_seconds
    return "" if seconds is None else f"{seconds:.2f}s"


def shown_value(value: Any) -> str:
    """A parameter or summary value, cut to fit one table cell."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 3] + "..."


def cell_text(value: Any) -> str:
    """A value in a table of many rows: numbers to 6 significant digits, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return shown_value(value)


def table_cell(value: Any) -> str:
    """`cell_text` as rich markup that shows it as written."""
    return escape(cell_text(value))


def status_cell(status: str) -> Text:
    return Text(status, style=STATUS_STYLES.get(status, ""))


def print_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """Rows as CSV on stdout: strings as they are, other values as JSON, None as nothing."""
    typer.echo(csv_text(columns, rows), nl=False)


def key_value_table(title: str, items: Mapping[str, Any], *, cut: bool = True) -> Table:
    """A two-column table of `items`; long values are cut to one cell unless `cut` is False."""
    table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in items.items():
        table.add_row(escape(key), escape(shown_value(value) if cut else str(value)))
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
    if job.note:
        state["note"] = job.note
    if job.digest:
        state["digest"] = job.digest
    stdout.print(key_value_table("job", state, cut=False))
    if job.tags:
        stdout.print(key_value_table("tags", job.tags))
    if with_params:
        stdout.print(key_value_table("parameters", job.params))
        stdout.print(key_value_table("provenance", provenance_lines(job.provenance)))
    if job.summary:
        stdout.print(key_value_table("summary", job.summary))
    if job.array_descriptions:
        arrays = Table(title="arrays", title_justify="left", box=None, padding=(0, 2))
        for column in ("name", "shape", "dtype"):
            arrays.add_column(column)
        for name, info in job.array_descriptions.items():
            arrays.add_row(
                escape(name), "x".join(map(str, info["shape"])) or "scalar", info["dtype"]
            )
        stdout.print(arrays)


def provenance_lines(provenance: Mapping[str, Any] | None) -> dict[str, str]:
    """A job's provenance as a few lines: what ran it, or that it is unknown."""
    if provenance is None:
        return {"": "unknown (not run yet, or stored before provenance was recorded)"}
    plugin = provenance.get("plugin") or {}
    versions = {"solverq": provenance.get("solverq"), "python": provenance.get("python")}
    versions |= {"numpy": provenance.get("numpy"), **provenance.get("packages", {})}
    lines = {
        "plugin": f"{plugin.get('name')} {plugin.get('version') or '?'} "
        f"({plugin.get('distribution') or 'not installed'})",
        "versions": ", ".join(
            f"{name} {number or 'not installed'}" for name, number in versions.items()
        ),
        "platform": str(provenance.get("platform")),
        "ran on": f"{provenance.get('host')} by {provenance.get('worker')}",
    }
    if "seed" in provenance:
        lines["seed"] = str(provenance["seed"])
    return lines


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
