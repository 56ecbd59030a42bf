"""`solverq sweep`: one job per point of a parameter grid, followed and tabulated as one.

solverq sweep PLUGIN --grid KEY=V1,V2,... [--grid ...] [-p KEY=VALUE]...
solverq sweep status SWEEP [--wait]
solverq sweep table SWEEP [--metric KEY]... [--json | --csv]
solverq sweep resume SWEEP [--wait]
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text
from typer.core import TyperGroup

from solverq.cli.errors import fail
from solverq.cli.fitted import Column, fitted_table, one_line, print_fitted
from solverq.cli.options import (
    DataOption,
    NoteOption,
    ParamOption,
    ParamsFileOption,
    PluginArgument,
    QueueOption,
    ReuseOption,
    TagOption,
    TimeLimitOption,
)
from solverq.cli.output import (
    SHORT_ID,
    cell_text,
    key_value_table,
    print_csv,
    print_json,
    progress_bar,
    status_cell,
    stdout,
)

if TYPE_CHECKING:
    from solverq.worker.store import SweepRecord
    from solverq.worker.sweep_service import SweepStart, SweepTable

SUBMIT = "submit"
MAX_VALUE_TEXT = 20
MAX_MESSAGE = 160


class SweepGroup(TyperGroup):
    """`sweep status` and `sweep table` are subcommands; any other first word is the plugin of
    a sweep to submit (`sweep sgd --grid ...` runs `sweep submit sgd --grid ...`)."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [SUBMIT, *args]
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=SweepGroup,
    no_args_is_help=True,
    help=(
        "Run one job per point of a parameter grid: `solverq sweep PLUGIN --grid KEY=V1,V2,...`; "
        "then follow it with `sweep status` and read its results with `sweep table`."
    ),
)

ProcessesOption = Annotated[
    int, typer.Option(min=1, help="Embedded mode: run the points in this many local processes.")
]
SweepArgument = Annotated[str, typer.Argument(help="A sweep id, or a unique prefix of one.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
MetricOption = Annotated[
    list[str] | None,
    typer.Option(
        "--metric",
        "-m",
        help=(
            "A summary value for the table (default: the plugin's headline metrics; with --json "
            "or --csv every number, flag and string). Repeatable."
        ),
    ),
]
WaitOption = Annotated[
    bool, typer.Option("--wait", "-w", help="Wait until every job of the sweep has finished.")
]


@app.command(SUBMIT)
def submit(
    plugin: PluginArgument,
    grid: Annotated[
        list[str],
        typer.Option(
            "--grid",
            "-g",
            metavar="KEY=V1,V2,...",
            help=(
                "Values of one parameter, split at top-level commas (y0=[1,0],[0,1] is two "
                "lists), or KEY=linspace(a,b,n) / KEY=logspace(a,b,n). Repeatable: one job per "
                "point of the cartesian product."
            ),
        ),
    ],
    param: ParamOption = None,
    params_file: ParamsFileOption = None,
    data: DataOption = None,
    processes: ProcessesOption = 1,
    wait: WaitOption = False,
    metric: MetricOption = None,
    reuse: ReuseOption = False,
    tag: TagOption = None,
    note: NoteOption = None,
    time_limit: TimeLimitOption = None,
    queue: QueueOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the sweep as JSON.")] = False,
) -> None:
    """Submit one job per point of the grid; print the sweep id, or with --wait its table.

    With --reuse, the points that earlier jobs computed are linked into the sweep, and only
    the others run.
    """
    from solverq.cli.inputs import read_data, read_parameters
    from solverq.cli.signals import signals_interrupt
    from solverq.worker.grid import parse_grid_options
    from solverq.worker.settings import Settings
    from solverq.worker.store.job_filters import parse_tags
    from solverq.worker.sweep_service import start_sweep

    values = parse_grid_options(grid)
    params = read_parameters(params_file, param or [])
    tags = parse_tags(tag or [])
    settings = Settings.from_environment()
    inputs = read_data(data or [], settings.max_input_bytes)
    show_progress = settings.embedded or wait
    with (
        signals_interrupt(),
        progress_bar(f"sweep {plugin}") if show_progress else nullcontext() as listener,
    ):
        start = start_sweep(
            plugin,
            values,
            params,
            inputs,
            reuse=reuse,
            tags=tags,
            note=note,
            time_limit=time_limit,
            queue=queue,
            processes=processes,
            settings=settings,
            listener=listener,
        )
        if reuse:
            typer.echo(
                f"reused {len(start.reused)} of {start.sweep.size} points; "
                f"{len(start.created)} new jobs",
                err=True,
            )
    _follow(start, wait=wait, metric=metric, as_json=as_json)


@app.command("resume")
def resume(
    sweep_id: SweepArgument,
    processes: ProcessesOption = 1,
    wait: WaitOption = False,
    metric: MetricOption = None,
    as_json: JsonOption = False,
) -> None:
    """Queue the failed and cancelled points of a sweep again, as new jobs."""
    from solverq.worker.settings import Settings
    from solverq.worker.sweep_service import resume_sweep

    settings = Settings.from_environment()
    show_progress = settings.embedded or wait
    with progress_bar(f"sweep {sweep_id}") if show_progress else nullcontext() as listener:
        start = resume_sweep(sweep_id, processes=processes, settings=settings, listener=listener)
    typer.echo(f"queued {len(start.created)} points of sweep {start.sweep.id} again", err=True)
    _follow(start, wait=wait, metric=metric, as_json=as_json)


def _follow(start: SweepStart, *, wait: bool, metric: list[str] | None, as_json: bool) -> None:
    """A started sweep: its record as JSON, its table (--wait, once finished) or its id."""
    from solverq.worker.sweep_service import sweep_table, wait_sweep

    sweep = start.sweep
    if wait and not sweep.finished:
        with progress_bar(f"sweep {sweep.id[:SHORT_ID]}") as listener:
            sweep = wait_sweep(sweep.id, listener=listener)
    if as_json:
        print_json(sweep.to_json())
    elif wait:
        _print_table(sweep_table(sweep.id, metric or None, headline=True))
    else:
        typer.echo(sweep.id)
    if wait:
        _exit_for(sweep)


@app.command("status")
def status(sweep_id: SweepArgument, wait: WaitOption = False, as_json: JsonOption = False) -> None:
    """Show how many jobs of a sweep are in each state; --wait follows it to the end."""
    from solverq.worker.store.factory import sweep_store
    from solverq.worker.sweep_service import wait_sweep

    sweep = sweep_store().get(sweep_id)
    if wait and not sweep.finished:
        with progress_bar(f"sweep {sweep.id[:SHORT_ID]}") as listener:
            sweep = wait_sweep(sweep.id, listener=listener)
    if as_json:
        print_json(sweep.to_json())
    else:
        details: dict[str, Any] = {"id": sweep.id, "plugin": sweep.plugin, "grid": sweep.grid}
        details["done"] = f"{sweep.done}/{sweep.size}"
        details.update({state.value: count for state, count in sweep.counts.items()})
        if sweep.deleted:
            details["deleted"] = sweep.deleted
        stdout.print(key_value_table("sweep", details))
    if wait:
        _exit_for(sweep)


@app.command("table")
def table(
    sweep_id: SweepArgument,
    metric: MetricOption = None,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
) -> None:
    """One row per job of a sweep: its swept parameters and summary metrics."""
    from solverq.plugins.errors import RejectedRequest
    from solverq.worker.sweep_service import sweep_table

    if as_json and as_csv:
        raise RejectedRequest("choose one of --json and --csv")
    result = sweep_table(sweep_id, metric or None, headline=not (as_json or as_csv))
    if as_json:
        print_json(result.rows)
    elif as_csv:
        print_csv(result.columns, result.rows)
    else:
        _print_table(result)


def _print_table(result: SweepTable) -> None:
    """The table at the terminal's width, each error cut to one line."""
    rows = result.rows
    columns = [
        Column("job", [Text((row["job"] or "")[:SHORT_ID]) for row in rows], cut=False),
        Column("status", [status_cell(row["status"]) for row in rows], cut=False),
    ]
    for name in result.columns[2:-1]:
        columns.append(Column(name, [Text(cell_text(row[name])) for row in rows]))
    if any(row["error"] for row in rows):
        columns.append(Column("error", [one_line(row["error"] or "") for row in rows], note=True))
    print_fitted(stdout, fitted_table(columns, stdout.width), "error")


def _exit_for(sweep: SweepRecord) -> None:
    """Exit with status 1 unless every job of the sweep succeeded, naming the points that did
    not: as many as fit in a readable line, each cut to a readable length."""
    from solverq.worker.grid import shown
    from solverq.worker.store import JobStatus
    from solverq.worker.sweep_service import unsuccessful_points

    short_id = sweep.id[:SHORT_ID]
    if not sweep.finished:
        raise fail(f"sweep {short_id}: {sweep.done} of {sweep.size} jobs finished")
    unsuccessful = sweep.size - sweep.counts[JobStatus.SUCCEEDED]
    if not unsuccessful:
        return
    message = f"sweep {short_id}: {unsuccessful} of {sweep.size} jobs did not succeed: "
    named: list[str] = []
    for point, job in unsuccessful_points(sweep.id):
        values = ", ".join(f"{key}={_cut(shown(value))}" for key, value in point.items())
        text = f"{values} (job {job.id[:SHORT_ID]} {job.status.value})"
        if named and len(message + "; ".join([*named, text])) > MAX_MESSAGE:
            break
        named.append(text)
    left = unsuccessful - len(named)
    raise fail(message + "; ".join(named) + (f"; {left} more" if left else ""))


def _cut(text: str) -> str:
    return text if len(text) <= MAX_VALUE_TEXT else text[: MAX_VALUE_TEXT - 1] + "…"
