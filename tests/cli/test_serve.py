"""`solverq serve` refuses, in one line, to start where it should not (it is started for real by
the browser tests)."""

from __future__ import annotations

import pytest

from tests.cli.outcomes import error_line


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.7", "::"])
def test_an_open_address_needs_a_token(solverq, solverq_env, monkeypatch, host) -> None:
    monkeypatch.delenv("SOLVERQ_API_TOKEN", raising=False)
    outcome = solverq("serve", "--host", host)
    assert outcome.exit_code == 2
    assert error_line(outcome) == (
        f"error: refusing to serve on {host} without SOLVERQ_API_TOKEN: anyone who can reach "
        "it could run jobs; set the token, or serve on 127.0.0.1"
    )
    assert outcome.stderr.count("\n") == 1


def test_a_database_without_the_schema_is_named(solverq, monkeypatch, postgres_url) -> None:
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", postgres_url)
    outcome = solverq("serve")
    assert outcome.exit_code == 2
    assert "has no solverq schema; run `solverq db upgrade`" in error_line(outcome)


def test_bad_options_are_usage_errors(solverq) -> None:
    assert solverq("serve", "--port", "0").exit_code == 2
    assert solverq("serve", "--processes", "0").exit_code == 2
