"""The sweep service: validation before storing, one batch, interruption."""

import pytest
from typer.testing import CliRunner

from solverq.cli.main import app
from solverq.plugins.errors import RejectedRequest
from solverq.worker.settings import Settings
from solverq.worker.store import JobStatus, JobStore, SweepStore, open_database
from solverq.worker.sweep_service import submit_sweep, sweep_table, unsuccessful_points
from tests.cli.conftest import Solverq


@pytest.fixture
def solverq() -> Solverq:
    return Solverq()


@pytest.fixture
def store(sqlite_url) -> JobStore:
    """The store of the embedded tests here; sweeps are stored alike on both backends (see
    tests/cli/test_sweeps.py)."""
    return JobStore(open_database(sqlite_url))


@pytest.fixture
def settings(monkeypatch, store) -> Settings:
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", store.database.url)
    monkeypatch.delenv("SOLVERQ_BROKER_URL", raising=False)
    return Settings.from_environment()


def test_nothing_is_stored_unless_every_point_is_valid(store, settings, test_plugins) -> None:
    with pytest.raises(RejectedRequest, match=r"^point scale=0, values=\[1\]: parameter 'scale'"):
        submit_sweep("echo", {"scale": [1, 0], "values": "[1],[2]"}, settings=settings)
    assert store.list() == []


def test_an_interrupted_sweep_cancels_the_jobs_it_did_not_run(
    store, settings, test_plugins
) -> None:
    heard: list[str] = []

    def listener(fraction: float, message: str) -> None:
        heard.append(message)
        if message == "1/3 jobs":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        submit_sweep("echo", {"scale": [1, 2, 3]}, settings=settings, listener=listener)
    [sweep_id] = {job.sweep_id for job in store.list()}
    sweep = SweepStore(store.database).get(sweep_id)
    assert sweep.counts[JobStatus.SUCCEEDED] == 1 and sweep.counts[JobStatus.CANCELLED] == 2


def test_progress_covers_the_whole_sweep(store, settings, test_plugins) -> None:
    fractions: list[float] = []
    submit_sweep(
        "echo", {"scale": [1, 2]}, settings=settings, listener=lambda f, m: fractions.append(f)
    )
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert 0.5 in fractions


def test_a_metric_named_like_a_swept_parameter_is_prefixed(store, settings) -> None:
    params = {"data": "polynomial", "n": 50, "coefficients": [1, 2]}
    sweep = submit_sweep("sgd", {"eta": [0.01, 0.02]}, params, settings=settings)
    table = sweep_table(sweep.id, ["mse", "eta", "status"], settings=settings)
    assert table.columns == [
        *("job", "status", "eta", "mse"),
        *("summary.eta", "summary.status", "error"),
    ]
    assert [row["summary.eta"] for row in table.rows] == [0.01, 0.02]
    assert [row["status"] for row in table.rows] == ["succeeded", "succeeded"]


def test_a_metric_that_no_summary_holds_is_refused(store, settings, test_plugins) -> None:
    sweep = submit_sweep("echo", {"scale": "1,2"}, settings=settings)
    with pytest.raises(RejectedRequest, match="has the summary value 'scale'"):
        sweep_table(sweep.id, ["total", "scale"], settings=settings)


def test_headline_metrics_that_some_summary_holds(store, settings) -> None:
    params = {"data": "polynomial", "n": 50, "coefficients": [1, 2]}
    sweep = submit_sweep("sgd", {"eta": [0.01, 10]}, params, settings=settings)
    table = sweep_table(sweep.id, headline=True, settings=settings)
    assert table.columns == ["job", "status", "eta", "mse", "r2", "error"]
    assert "epochs" in sweep_table(sweep.id, settings=settings).columns
    [(point, job)] = unsuccessful_points(sweep.id, settings=settings)
    assert point == {"eta": 10.0} and job.status is JobStatus.FAILED
    assert job.id == table.rows[1]["job"] and job.error.startswith("diverged: eta = 10")
    euler = submit_sweep(
        "euler", {"n": [10, 20]}, {"rhs": "-y", "y0": 1, "x1": 1}, settings=settings
    )
    assert sweep_table(euler.id, headline=True, settings=settings).metrics == {}
    assert unsuccessful_points(euler.id, settings=settings) == []


def test_a_plugin_without_headline_metrics_shows_every_one(store, settings, test_plugins) -> None:
    sweep = submit_sweep("echo", {"scale": [1, 2]}, settings=settings)
    table = sweep_table(sweep.id, headline=True, settings=settings)
    assert table.columns == ["job", "status", "scale", "count", "total", "error"]


def test_processes_must_be_positive(settings, test_plugins) -> None:
    with pytest.raises(RejectedRequest, match="processes must be at least 1, got 0"):
        submit_sweep("echo", {"scale": [1]}, processes=0, settings=settings)


def test_a_sweep_runs_on_the_worker_pool(pool_store, workers) -> None:
    worker = workers.start(concurrency=2)
    outcome = CliRunner().invoke(
        app, ["sweep", "echo", "-g", "scale=1,2,3", "-g", "values=[1],[1,2]", "--wait"]
    )
    assert outcome.exit_code == 0, outcome.output + workers.logs()
    [sweep_id] = {job.sweep_id for job in pool_store.list()}
    jobs = SweepStore(pool_store.database).jobs(sweep_id)
    assert [job.summary["total"] for job in jobs] == [1.0, 3.0, 2.0, 6.0, 3.0, 9.0]
    assert {(job.worker, job.attempts) for job in jobs} == {(worker.nodename, 1)}
    assert all(job.queue is not None for job in jobs)
