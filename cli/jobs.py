"""Job commands: submit, status, result, cancel."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

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
    print_job,
    print_json,
    progress_bar,
)

if TYPE_CHECKING:
    from solverq.worker.store import JobRecord

JsonOption = Annotated[bool, typer.Option("--json", help="Print the job record as JSON.")]
JobArgument = Annotated[str, typer.Argument(help="A job id, or a unique prefix of one.")]


def submit(
    plugin: PluginArgument,
    param: ParamOption = None,
    params_file: ParamsFileOption = None,
    data: DataOption = None,
    wait: Annotated[
        bool, typer.Option("--wait", "-w", help="Wait for the job and print it.")
    ] = False,
    time_limit: TimeLimitOption = None,
    queue: QueueOption = None,
    as_json: JsonOption = False,
) -> None:
    """Submit a job; print its id, or with --wait its outcome."""
    from solverq.cli.inputs import read_data, read_parameters
    from solverq.worker import service
    from solverq.worker.settings import Settings

    params = read_parameters(params_file, param or [])
    inputs = read_data(data or [])
    settings = Settings.from_environment()
    show_progress = settings.embedded or wait
    with progress_bar(f"{plugin}") if show_progress else nullcontext() as listener:
        job = service.submit(
            plugin,
            params,
            inputs,
            time_limit=time_limit,
            queue=queue,
            settings=settings,
            listener=listener,
        )
        if wait and not job.finished:
            job = service.wait(job.id, settings=settings, listener=listener)
    if as_json:
        print_json(job.to_json())
    elif wait:
        print_job(job)
    else:
        typer.echo(job.id)
    if wait:
        _exit_for(job)


def status(job_id: JobArgument, as_json: JsonOption = False) -> None:
    """Show a job's state, parameters and progress."""
    from solverq.worker.service import job_store

    job = job_store().get(job_id)
    if as_json:
        print_json(job.to_json())
    else:
        print_job(job)


def result(
    job_id: JobArgument,
    out: Annotated[
        Path | None, typer.Option(help="Write the result arrays to this .npz file.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a finished job's summary; --out writes its arrays."""
    from solverq.worker.service import job_store

    store = job_store()
    job = store.get(job_id)
    if as_json:
        print_json(job.to_json())
    elif job.status.value == "succeeded":
        print_job(job, with_params=False)
    _exit_for(job)
    if out is not None:
        write_arrays(out, store.result_arrays(job.id))
        if not as_json:
            typer.echo(f"wrote {len(job.arrays)} arrays to {out}", err=True)


def cancel(job_id: JobArgument, as_json: JsonOption = False) -> None:
    """Cancel a queued or running job."""
    from solverq.worker import service

    job = service.cancel(job_id)
    if as_json:
        print_json(job.to_json())
    if job.status.value != "cancelled":
        raise fail(f"job {job.id} already {job.status.value}; nothing to cancel")
    if not as_json:
        typer.echo(f"cancelled {job.id}")


def _exit_for(job: JobRecord) -> None:
    """Exit with status 1 and the reason unless the job succeeded."""
    if job.status.value == "succeeded":
        return
    if job.status.value in ("queued", "running"):
        raise fail(f"job {job.id} is {job.status.value} ({job.progress:.0%}); it has no result yet")
    raise fail(f"job {job.id} {job.status.value}: {job.error}")


def write_arrays(path: Path, arrays: dict) -> None:
    """Arrays as `.npz`; exact big integers are written as decimal strings (no pickle)."""
    import numpy as np

    plain = {
        name: array.astype(str) if array.dtype == object else array
        for name, array in arrays.items()
    }
    try:
        np.savez(path, **plain)
    except OSError as error:
        raise fail(f"cannot write {path}: {error.strerror}") from None
