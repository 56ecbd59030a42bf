"""Keeping the record tidy: `solverq tag`, `solverq note` and `solverq delete`."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from solverq.cli.output import print_json

JobArgument = Annotated[str, typer.Argument(help="A job id, or a unique prefix of one.")]


def tag(
    job_id: JobArgument,
    tags: Annotated[
        list[str],
        typer.Argument(metavar="KEY=VALUE...", help="Tags to set (a tag set again is replaced)."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the job record as JSON.")] = False,
) -> None:
    """Set tags of a job."""
    from solverq.worker.service import tag_job
    from solverq.worker.store.job_filters import parse_tags

    job = tag_job(job_id, parse_tags(tags))
    if as_json:
        print_json(job.to_json())
    else:
        typer.echo(" ".join(f"{key}={value}" for key, value in sorted(job.tags.items())))


def note(
    job_id: JobArgument,
    text: Annotated[str, typer.Argument(help="The note (an empty one removes it).")],
) -> None:
    """Set the note of a job."""
    from solverq.worker.service import note_job

    job = note_job(job_id, text)
    typer.echo(f"noted {job.id}" if job.note else f"removed the note of {job.id}")


def delete(
    job_ids: Annotated[
        list[str] | None, typer.Argument(metavar="[JOB]...", help="Job ids or unique prefixes.")
    ] = None,
    sweep: Annotated[str | None, typer.Option(help="Every job of this sweep.")] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            metavar="KEY=VALUE", help="Jobs whose parameter KEY equals VALUE. Repeatable."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="Jobs created until: a date or time (ISO), or a time ago (2h, 3d)."),
    ] = None,
    plugin: Annotated[str | None, typer.Option(help="Jobs of this plugin.")] = None,
    status: Annotated[str | None, typer.Option(help="Jobs in this state.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option(metavar="KEY=VALUE", help="Jobs with this tag. Repeatable.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")] = False,
    force: Annotated[
        bool, typer.Option(help="Cancel running jobs first instead of refusing them.")
    ] = False,
) -> None:
    """Delete jobs for good, with their input arrays and results."""
    from solverq.plugins.errors import RejectedRequest
    from solverq.worker.deletion import delete_jobs, plan_deletion
    from solverq.worker.store.job_filters import parse_tags, parse_where

    filters: dict[str, Any] = {
        name: value
        for name, value in (
            ("where", parse_where(where or [])),
            ("until", until),
            ("plugin", plugin),
            ("status", status),
            ("tags", parse_tags(tag or [])),
        )
        if value
    }
    deletion = plan_deletion(job_ids or [], sweep=sweep, **filters)
    size = f"{len(deletion.jobs)} jobs ({byte_count(deletion.bytes)})"
    if not deletion.jobs:
        typer.echo("no jobs match; nothing deleted", err=True)
        return
    if not yes:
        if not sys.stdin.isatty():
            raise RejectedRequest(f"this deletes {size}; give --yes to delete without a terminal")
        typer.confirm(f"delete {size} for good?", abort=True)
    deleted = delete_jobs(deletion, force=force)
    typer.echo(f"deleted {deleted} jobs ({byte_count(deletion.bytes)})")


def byte_count(count: int) -> str:
    """A number of bytes as a person reads it: 512 bytes, 1.5 kB, 12.3 MB."""
    if count < 1000:
        return f"{count} bytes"
    value = count / 1000
    for unit in ("kB", "MB", "GB"):
        if value < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"
