"""`solverq serve` refuses, in one line, to start where it should not (it is started for real by
the browser tests)."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn

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


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
@pytest.mark.parametrize("token", [" ", "\t\n"])
def test_a_blank_token_is_refused(solverq, solverq_env, monkeypatch, host, token) -> None:
    monkeypatch.setenv("SOLVERQ_API_TOKEN", token)
    outcome = solverq("serve", "--host", host)
    assert outcome.exit_code == 2
    assert error_line(outcome) == (
        "error: SOLVERQ_API_TOKEN is blank: no request could carry it; set a token, or unset "
        "it to serve on 127.0.0.1"
    )


def test_a_token_that_no_request_can_carry_is_refused(solverq, solverq_env, monkeypatch) -> None:
    monkeypatch.setenv("SOLVERQ_API_TOKEN", "s3cret ")
    outcome = solverq("serve", "--host", "0.0.0.0")
    assert outcome.exit_code == 2
    assert "SOLVERQ_API_TOKEN starts or ends with white space" in error_line(outcome)


@pytest.mark.parametrize("host", ["[::1]", "::1"])
def test_an_ipv6_address_is_listened_on_without_brackets(
    solverq, solverq_env, monkeypatch, host
) -> None:
    monkeypatch.delenv("SOLVERQ_API_TOKEN", raising=False)
    listened: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: listened.update(options))
    outcome = solverq("serve", "--host", host, "--port", "8001")
    assert outcome.exit_code == 0
    assert (listened["host"], listened["port"]) == ("::1", 8001)
    assert "solverq serving on http://[::1]:8001 " in outcome.stderr


def test_a_database_without_the_schema_is_named(solverq, monkeypatch, postgres_url) -> None:
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", postgres_url)
    outcome = solverq("serve")
    assert outcome.exit_code == 2
    assert "has no solverq schema; run `solverq db upgrade`" in error_line(outcome)


def test_bad_options_are_usage_errors(solverq) -> None:
    assert solverq("serve", "--port", "0").exit_code == 2
    assert solverq("serve", "--processes", "0").exit_code == 2
