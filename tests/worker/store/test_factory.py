"""The stores of the settings in the environment."""

from __future__ import annotations

import pytest
from sqlalchemy import Row, literal, select

from solverq.worker.store import open_database
from solverq.worker.store.factory import job_store, sweep_store


@pytest.mark.parametrize(("switch", "row_type"), [("1", tuple), ("0", Row)])
def test_the_setting_chooses_how_a_workers_statements_run(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, switch: str, row_type: type
) -> None:
    open_database(postgres_url, ensure_schema=False).upgrade()
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", postgres_url)
    monkeypatch.setenv("SOLVERQ_DIRECT_STATEMENTS", switch)
    store = job_store()
    assert type(store.database.autocommit_first(select(literal(1)), {})) is row_type
    assert sweep_store().database is store.database
