"""How errors reach the user: one line on stderr and an exit code, never a traceback.

- 2: the request was rejected before a job was created (`RejectedRequest`, and usage errors)
- 1: a job ran and failed, or anything else went wrong
Set ``SOLVERQ_DEBUG=1`` to see the traceback of an unexpected error.
"""

from __future__ import annotations

import os
import warnings
from typing import Any, TextIO

import typer
from typer.core import TyperGroup

EXIT_FAILED = 1
EXIT_REJECTED = 2
MAX_ERROR_LINE = 500
"""The longest error line printed: messages that echo long input are cut."""


class SolverqGroup(TyperGroup):
    """The root command group: turns library errors and warnings into one-line reports."""

    def invoke(self, ctx: Any) -> Any:
        from solverq.plugins.errors import RejectedRequest, SolverqError

        warnings.showwarning = _show_warning
        try:
            return super().invoke(ctx)
        except RejectedRequest as error:
            _report(str(error))
            raise typer.Exit(EXIT_REJECTED) from None
        except SolverqError as error:
            _report(str(error))
            raise typer.Exit(EXIT_FAILED) from None
        except (typer.Exit, typer.Abort, typer.TyperException, KeyboardInterrupt):
            raise
        except Exception as error:
            if os.environ.get("SOLVERQ_DEBUG"):
                raise
            _report(f"{_describe(error)} (set SOLVERQ_DEBUG=1 for details)")
            raise typer.Exit(EXIT_FAILED) from None


def fail(message: str) -> Exception:
    """An error for a command to raise: exit status 1 with `message` on stderr."""
    from solverq.plugins.errors import SolverqError

    return SolverqError(message)


def _describe(error: Exception) -> str:
    from sqlalchemy.exc import OperationalError

    if isinstance(error, OperationalError):
        return f"cannot use the database: {str(error.orig).strip().splitlines()[0]}"
    return f"internal error: {type(error).__name__}: {error}"


def _report(message: str) -> None:
    """`message` as one line of stderr, cut to a readable length."""
    from solverq.plugins.errors import shortened

    typer.echo(f"error: {shortened(message, MAX_ERROR_LINE)}", err=True)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    typer.echo(f"warning: {message}", err=True)
