"""`solverq sweep`: one job per point of a parameter grid, followed and tabulated as one.

solverq sweep PLUGIN --grid KEY=V1,V2,... [--grid ...] [-p KEY=VALUE]...
solverq sweep status SWEEP [--wait]
solverq sweep table SWEEP [--metric KEY]... [--json | --csv]
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from solverq.cli.errors import fail
from solverq.cli.options import (
    DataOption,
    ParamOption,
    ParamsFileOption,
    PluginArgument,
    QueueOption,
    TimeLimitOption,
)
from solverq.cli.output import (
    key_value_table,
    print_csv,
    print_json,
    progress_bar,
    status_text,
    stdout,
    table_cell,
)

if TYPE_CHECKING:
    from solverq.worker.store import SweepRecord
    from solverq.worker.sweep_service import SweepTable

SUBMIT = "submit"
SHORT_ID = 12


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

SweepArgument = Annotated[str, typer.Argument(help="A sweep id, or a unique prefix of one.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
MetricOption = Annotated[
    list[str] | None,
    typer.Option(
        "--metric",
        "-m",
        help="A summary value for the table (default: every number, flag and string). Repeatable.",
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
    processes: Annotated[
        int,
        typer.Option(min=1, help="Embedded mode: run the points in this many local processes."),
    ] = 1,
    wait: WaitOption = False,
    metric: MetricOption = None,
    time_limit: TimeLimitOption = None,
    queue: QueueOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the sweep as JSON.")] = False,
) -> None:
    """Submit one job per point of the grid; print the sweep id, or with --wait its table."""
    from solverq.cli.inputs import read_data, read_parameters
    from solverq.cli.signals import signals_interrupt
    from solverq.worker.grid import parse_grid_options
    from solverq.worker.settings import Settings
    from solverq.worker.sweep_service import submit_sweep, sweep_table, wait_sweep

    values = parse_grid_options(grid)
    params = read_parameters(params_file, param or [])
    settings = Settings.from_environment()
    inputs = read_data(data or [], settings.max_input_bytes)
    show_progress = settings.embedded or wait
    with (
        signals_interrupt(),
        progress_bar(f"sweep {plugin}") if show_progress else nullcontext() as listener,
    ):
        sweep = submit_sweep(
            plugin,
            values,
            params,
            inputs,
            time_limit=time_limit,
            queue=queue,
            processes=processes,
            settings=settings,
            listener=listener,
        )
        if wait and not sweep.finished:
            sweep = wait_sweep(sweep.id, settings=settings, listener=listener)
    if as_json:
        print_json(sweep.to_json())
    elif wait:
        _print_table(sweep_table(sweep.id, metric or None, settings=settings))
    else:
        typer.echo(sweep.id)
    if wait:
        _exit_for(sweep)


@app.command("status")
def status(sweep_id: SweepArgument, wait: WaitOption = False, as_json: JsonOption = False) -> None:
    """Show how many jobs of a sweep are in each state; --wait follows it to the end."""
    from solverq.worker.sweep_service import sweep_store, wait_sweep

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
    result = sweep_table(sweep_id, metric or None)
    if as_json:
        print_json(result.rows)
    elif as_csv:
        print_csv(result.columns, result.rows)
    else:
        _print_table(result)


def _print_table(result: SweepTable) -> None:
    columns = result.columns
    if not any(row["error"] for row in result.rows):
        columns = columns[:-1]
    table = Table(box=None, padding=(0, 2))
    table.add_column("job", no_wrap=True, min_width=SHORT_ID)
    table.add_column("status", no_wrap=True, min_width=len("succeeded"))
    for column in columns[2:]:
        table.add_column(column)
    for row in result.rows:
        cells = [table_cell(row[column]) for column in columns]
        cells[0] = row["job"][:SHORT_ID]
        cells[1] = status_text(row["status"])
        table.add_row(*cells)
    stdout.print(table)


def _exit_for(sweep: SweepRecord) -> None:
    """Exit with status 1 unless every job of the sweep succeeded."""
    from solverq.worker.store import JobStatus

    if not sweep.finished:
        raise fail(f"sweep {sweep.id}: {sweep.done} of {sweep.size} jobs finished")
    unsuccessful = sweep.size - sweep.counts[JobStatus.SUCCEEDED]
    if unsuccessful:
        raise fail(f"sweep {sweep.id}: {unsuccessful} of {sweep.size} jobs did not succeed")
