import pytest
from typer.testing import CliRunner

from solverq.cli.main import app


class Solverq:
    """Runs `solverq ARGS...` in this process and keeps the outcome."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str):
        return self.runner.invoke(app, list(args))


@pytest.fixture
def solverq() -> Solverq:
    return Solverq()
