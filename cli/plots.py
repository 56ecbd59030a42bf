"""`solverq plot`: a figure of a job's result, or of a summary metric over a sweep."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def plot(
    target: Annotated[
        str, typer.Argument(metavar="JOB|SWEEP", help="A job or sweep id, or a unique prefix.")
    ],
    x: Annotated[
        str | None,
        typer.Option("--x", help="Sweep: the swept parameter along the x axis (default: first)."),
    ] = None,
    y: Annotated[
        str | None,
        typer.Option("--y", help="Sweep: a second swept parameter, for a heat map."),
    ] = None,
    metric: Annotated[
        str | None, typer.Option("--metric", "-m", help="Sweep: the summary value to plot.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="The .png or .svg file to write (default: ID.png in this folder)."),
    ] = None,
) -> None:
    """Draw a job's result (as its plugin sees it) or a sweep's metric: lines over one swept
    parameter, a heat map over two. Prints the path of the file written."""
    from plugins.plotting import save_figure
    from worker.figures import figure_of

    full_id, figure = figure_of(target, x=x, y=y, metric=metric)
    path = out or Path(f"{full_id}.png")
    save_figure(figure, path)
    typer.echo(str(path))
