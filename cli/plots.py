"""`solverq plot`: a figure of a job's result, of a summary metric over a sweep, or of one
result array of several jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def plot(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="JOB|SWEEP [JOB]...", help="A job or sweep id, or several jobs to overlay."
        ),
    ] = None,
    x: Annotated[
        str | None,
        typer.Option(
            "--x",
            help="Sweep: the swept parameter along the x axis (default: first). "
            "Overlay: the result array along the x axis (default: the index).",
        ),
    ] = None,
    y: Annotated[
        str | None,
        typer.Option(
            "--y",
            help="Sweep: a second swept parameter, for a heat map. "
            "Several jobs or --sweep: the result array to overlay.",
        ),
    ] = None,
    metric: Annotated[
        str | None, typer.Option("--metric", "-m", help="Sweep: the summary value to plot.")
    ] = None,
    sweep: Annotated[
        str | None, typer.Option("--sweep", help="Overlay the --y array of this sweep's jobs.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="The .png or .svg file to write (default: ID.png in this folder)."),
    ] = None,
) -> None:
    """Draw a job's result, a sweep's metric, or one array of several jobs; print the path.

    A job is drawn by its plugin; a sweep's metric as lines over one swept parameter, or as a
    heat map over two. Several jobs (or --sweep SWEEP) with --y ARRAY overlay that result
    array, each line labelled by the parameters in which its job differs from the others.
    """
    from solverq.plugins.errors import RejectedRequest
    from solverq.plugins.plotting import save_figure
    from solverq.worker.figures import figure_of
    from solverq.worker.overlays import overlay_figure

    targets = targets or []
    if sweep is not None or len(targets) > 1:
        if y is None or metric is not None:
            raise RejectedRequest("overlay one result array of several jobs with --y ARRAY")
        figure = overlay_figure(targets, y=y, x=x, sweep=sweep)
        full_id = f"{sweep or targets[0]}-{y}"
    elif targets:
        full_id, figure = figure_of(targets[0], x=x, y=y, metric=metric)
    else:
        raise RejectedRequest("give a job or a sweep to plot, several jobs, or --sweep SWEEP")
    path = out or Path(f"{full_id}.png")
    save_figure(figure, path)
    typer.echo(str(path))
