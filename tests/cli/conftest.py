from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from solverq.cli.main import app
from solverq.cli.output import stdout


class Solverq:
    """Runs `solverq ARGS...` in this process and keeps the outcome."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str):
        return self.runner.invoke(app, list(args))


@pytest.fixture
def solverq() -> Solverq:
    return Solverq()


@pytest.fixture
def terminal_width(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Sets the width of the terminal the commands print to, for tables and for `--help`."""

    def set_width(columns: int) -> None:
        monkeypatch.setenv("COLUMNS", str(columns))
        monkeypatch.setattr(stdout, "width", columns)

    return set_width
