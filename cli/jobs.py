"""Job commands: submit, status, result, cancel, rerun."""

from __future__ import annotations

import os
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from solverq.cli.errors import fail
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
    print_job,
    print_json,
    print_warnings,
    progress_bar,
)

if TYPE_CHECKING:
    from solverq.worker.store import JobRecord

NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
JsonOption = Annotated[bool, typer.Option("--json", help="Print the job record as JSON.")]
JobArgument = Annotated[str, typer.Argument(help="A job id, or a unique prefix of one.")]
WaitOption = Annotated[bool, typer.Option("--wait", "-w", help="Wait for the job and print it.")]


def submit(
    plugin: PluginArgument,
    param: ParamOption = None,
    params_file: ParamsFileOption = None,
    data: DataOption = None,
    wait: WaitOption = False,
    reuse: ReuseOption = False,
    tag: TagOption = None,
    note: NoteOption = None,
    time_limit: TimeLimitOption = None,
    queue: QueueOption = None,
    as_json: JsonOption = False,
) -> None:
    """Submit a job; print its id, or with --wait its outcome."""
    from solverq.cli.inputs import read_data, read_parameters
    from solverq.cli.signals import signals_interrupt
    from solverq.worker import service
    from solverq.worker.settings import Settings
    from solverq.worker.store.job_filters import parse_tags

    params = read_parameters(params_file, param or [])
    tags = parse_tags(tag or [])
    settings = Settings.from_environment()
    inputs = read_data(data or [], settings.max_input_bytes)
    show_progress = settings.embedded or wait
    with (
        signals_interrupt(),
        progress_bar(f"{plugin}") if show_progress else nullcontext() as listener,
    ):
        submission = service.submit_job(
            plugin,
            params,
            inputs,
            reuse=reuse,
            tags=tags,
            note=note,
            time_limit=time_limit,
            queue=queue,
            settings=settings,
            listener=listener,
        )
        job = submission.job
        if submission.reused:
            typer.echo(f"reused job {job.id} ({job.status.value})", err=True)
        if wait and not job.finished:
            job = service.wait(job.id, settings=settings, listener=listener)
    _print_outcome(job, wait=wait, as_json=as_json)


def rerun(
    job_id: JobArgument,
    param: ParamOption = None,
    wait: WaitOption = False,
    as_json: JsonOption = False,
) -> None:
    """Submit a copy of a job with -p overrides; print its id, or with --wait its outcome.

    The copy has the job's parameters (the overrides set on top), input arrays, tags and time
    limit.
    """
    from solverq.plugins.parameters import parse_assignment
    from solverq.worker import service
    from solverq.worker.settings import Settings

    overrides = dict(parse_assignment(text) for text in param or [])
    settings = Settings.from_environment()
    show_progress = settings.embedded or wait
    with progress_bar(f"rerun {job_id}") if show_progress else nullcontext() as listener:
        job = service.rerun(job_id, overrides, settings=settings, listener=listener)
        if wait and not job.finished:
            job = service.wait(job.id, settings=settings, listener=listener)
    _print_outcome(job, wait=wait, as_json=as_json)


def _print_outcome(job: JobRecord, *, wait: bool, as_json: bool) -> None:
    """A submitted job: its record as JSON, its outcome (--wait) or its id."""
    if as_json:
        print_json(job.to_json())
    elif wait:
        print_job(job)
    else:
        typer.echo(job.id)
    if wait:
        print_warnings(job)
        _exit_for(job)


def status(job_id: JobArgument, as_json: JsonOption = False) -> None:
    """Show a job's state, parameters and progress."""
    from solverq.worker.service import job_status

    job = job_status(job_id)
    if as_json:
        print_json(job.to_json())
    else:
        print_job(job)


def result(
    job_id: JobArgument,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the result arrays to this file (in .npz format), as named."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the --out file if it exists.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show a finished job's summary; --out writes its arrays (also those a failed job kept)."""
    from solverq.worker.store.factory import job_store

    if out is not None:
        refuse_to_write(out, overwrite=force)
    store = job_store()
    job = store.get(job_id)
    if as_json:
        print_json(job.to_json())
    elif job.status.value == "succeeded":
        print_job(job, with_params=False)
        print_warnings(job)
    if out is not None and (job.status.value == "succeeded" or job.array_descriptions):
        write_arrays(out, store.result_arrays(job.id), overwrite=force)
        if not as_json:
            typer.echo(f"wrote {len(job.array_descriptions)} arrays to {out}", err=True)
    _exit_for(job)


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


def refuse_to_write(path: Path, *, overwrite: bool) -> None:
    """Refuse, before any work, a path that `write_arrays` would not write: a symbolic link,
    or an existing file unless `overwrite`."""
    from solverq.plugins.errors import RejectedRequest

    if path.is_symlink():
        raise RejectedRequest(f"{path} is a symbolic link; not writing through it")
    if path.exists() and not overwrite:
        raise RejectedRequest(f"{path} exists; use --force to overwrite it")


def write_arrays(path: Path, arrays: dict, *, overwrite: bool = False) -> None:
    """Arrays in `.npz` format to exactly `path`; exact big integers are written as decimal
    strings (no pickle). An existing file is replaced only when `overwrite`, and a symbolic link
    is never followed: the new file is written beside it and renamed over the path itself."""
    import numpy as np

    from solverq.plugins.arrays import exported

    plain = exported(arrays)
    refuse_to_write(path, overwrite=overwrite)
    target = path.with_name(f".{path.name}.{os.getpid()}.tmp") if overwrite else path
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NO_FOLLOW, 0o644)
    except FileExistsError:
        raise fail(f"{path} exists; use --force to overwrite it") from None
    except OSError as error:
        raise fail(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            np.savez(handle, **plain)  # type: ignore[arg-type]  # names, not allow_pickle
        if overwrite:
            os.replace(target, path)
    except OSError as error:
        if overwrite:
            target.unlink(missing_ok=True)
        raise fail(f"cannot write {path}: {error.strerror}") from None
