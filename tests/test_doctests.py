"""The examples in the package's docstrings run, as written, in embedded mode on a fresh
SQLite database: an example that stops working fails here."""

from __future__ import annotations

import doctest
import importlib

import pytest

from tests.test_imports import modules

EXAMPLE_MODULES = sorted(
    name for name, path in modules().items() if ">>> " in path.read_text(encoding="utf-8")
)


def test_the_examples_are_found() -> None:
    assert {"solverq", "solverq.solvers.expressions"} <= set(EXAMPLE_MODULES)


@pytest.mark.parametrize("name", EXAMPLE_MODULES)
def test_the_examples_run(name: str, monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> None:
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("SOLVERQ_BROKER_URL", raising=False)
    monkeypatch.delenv("SOLVERQ_TIME_LIMIT", raising=False)
    outcome = doctest.testmod(importlib.import_module(name), report=False)
    assert outcome.attempted > 0
    assert outcome.failed == 0, f"{name}: {outcome.failed} of {outcome.attempted} examples failed"
