"""`solverq predict`: apply the model a finished job stored to new inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from solverq.cli.output import print_json

JobArgument = Annotated[str, typer.Argument(help="A job id, or a unique prefix of one.")]


def predict(
    job_id: JobArgument,
    data: Annotated[
        list[Path],
        typer.Option(help="The new inputs: .npz (x or X) or .csv (the columns trained on)."),
    ],
    out: Annotated[
        Path | None, typer.Option(help="Write the predictions to this .npz file.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the --out file if it exists.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the arrays as JSON.")] = False,
) -> None:
    """Predict with the model of a finished job (ffnn, sgd), scaling the inputs as it did;
    print the predictions one per line, or write them with --out."""
    from solverq.cli.inputs import read_data
    from solverq.cli.jobs import refuse_to_write, write_arrays
    from solverq.plugins.contract import jsonable
    from solverq.worker.predictions import predict_job
    from solverq.worker.settings import Settings

    if out is not None:
        refuse_to_write(out, overwrite=force)
    predicted = predict_job(job_id, read_data(data, Settings.from_environment().max_input_bytes))
    if out is not None:
        write_arrays(out, predicted, overwrite=force)
        typer.echo(f"wrote {len(predicted['predictions'])} predictions to {out}", err=True)
    elif as_json:
        print_json({name: jsonable(array) for name, array in predicted.items()})
    else:
        for value in predicted["predictions"].tolist():
            typer.echo(value)
