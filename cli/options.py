"""Options that several commands share: how a request's parameters and data are given."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ParamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        metavar="KEY=VALUE",
        help="A parameter; VALUE is read as JSON when it parses, else as a string. Repeatable.",
    ),
]
ParamsFileOption = Annotated[
    Path | None, typer.Option("--params", help="A JSON file of parameters (-p overrides it).")
]
DataOption = Annotated[
    list[Path] | None,
    typer.Option(help="Input arrays: .npz (named), .npy (named by the file) or .csv. Repeatable."),
]
TimeLimitOption = Annotated[
    float | None, typer.Option(help="Seconds a job may run (default: SOLVERQ_TIME_LIMIT).")
]
QueueOption = Annotated[
    str | None,
    typer.Option(help="The broker queue for the workers (default: SOLVERQ_QUEUE)."),
]
PluginArgument = Annotated[
    str, typer.Argument(help="The solver plugin to run (see `solverq plugins`).")
]
TagOption = Annotated[
    list[str] | None,
    typer.Option(
        "--tag", "-t", metavar="KEY=VALUE", help="A tag to keep with the job. Repeatable."
    ),
]
NoteOption = Annotated[str | None, typer.Option("--note", help="A note to keep with the job.")]
ReuseOption = Annotated[
    bool,
    typer.Option(
        "--reuse",
        help="Reuse an earlier job of the same plugin version, parameters and inputs "
        "(succeeded, or still queued or running) instead of running it again.",
    ),
]
