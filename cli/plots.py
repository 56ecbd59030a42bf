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
    """Draw a job's result, or a sweep's metric over its grid; print the file's path.

    A job is drawn by its plugin; a sweep's metric as lines over one swept parameter, or as a
    heat map over two.
    """
    from solverq.plugins.plotting import save_figure
    from solverq.worker.figures import figure_of

    full_id, figure = figure_of(target, x=x, y=y, metric=metric)
    path = out or Path(f"{full_id}.png")
    save_figure(figure, path)
    typer.echo(str(path))
