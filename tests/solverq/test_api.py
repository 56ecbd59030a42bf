"""The Python API, in embedded mode on both backends."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import solverq
from solverq.plugins.errors import RejectedRequest, SolveFailed
from solverq.worker.store import JobStatus, JobStore, open_database


@pytest.fixture
def solverq_env(monkeypatch, sqlite_url) -> JobStore:
    """The API is a thin layer over services tested on both backends: SQLite is enough here."""
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("SOLVERQ_BROKER_URL", raising=False)
    return JobStore(open_database(sqlite_url))


def test_importing_solverq_is_light() -> None:
    heavy = ["numpy", "sqlalchemy", "matplotlib", "pydantic", "celery", "pandas"]
    code = f"import sys, solverq; print([m for m in {heavy!r} if m in sys.modules])"
    imported = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert imported.stdout.strip() == "[]"


def test_submit_then_read_the_result_as_arrays(solverq_env, test_plugins) -> None:
    job = solverq.submit("echo", {"values": [1, 2], "scale": 5}, scale=2)
    assert job.status is JobStatus.SUCCEEDED and job.params == {"values": [1.0, 2.0], "scale": 2.0}
    summary, arrays = solverq.result(job.id[:8])
    assert summary == {"total": 6.0, "count": 2}
    np.testing.assert_array_equal(arrays["values"], [2.0, 4.0])
    assert solverq.status(job).id == job.id and solverq.wait(job).finished


def test_bad_requests_and_failed_jobs_raise(solverq_env, test_plugins) -> None:
    with pytest.raises(RejectedRequest, match="parameter 'scale' of echo must be greater than 0"):
        solverq.submit("echo", scale=-1)
    failed = solverq.submit("explode", kind="fail")
    with pytest.raises(SolveFailed, match=f"job {failed.id} failed: diverged at x = 0.5"):
        solverq.result(failed)


def test_cancel_a_queued_job(solverq_env, test_plugins) -> None:
    queued = solverq_env.create("sleep", {})
    assert solverq.cancel(queued.id).status is JobStatus.CANCELLED
    with pytest.raises(SolveFailed, match="cancelled"):
        solverq.result(queued.id)


def test_a_sweep_and_its_table(solverq_env, test_plugins) -> None:
    sweep = solverq.sweep("echo", {"scale": "linspace(1,2,2)", "values": [[1], [1, 3]]})
    assert sweep.size == 4 and solverq.sweep_status(sweep.id[:6]).counts[JobStatus.SUCCEEDED] == 4
    records = solverq.sweep_table(sweep, ["total"])
    assert [(r["scale"], r["values"], r["total"]) for r in records] == [
        (1.0, [1], 1.0),
        (1.0, [1, 3], 4.0),
        (2.0, [1], 2.0),
        (2.0, [1, 3], 8.0),
    ]
    frame = solverq.sweep_table(sweep.id, as_frame=True)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["job", "status", "scale", "values", "count", "total", "error"]
    assert frame["total"].tolist() == [1.0, 4.0, 2.0, 8.0]
    assert frame.pivot_table(index="scale", columns="count", values="total").shape == (2, 2)


def test_list_jobs_and_compare(solverq_env, test_plugins) -> None:
    sweep = solverq.sweep("echo", {"scale": [3, 1, 2]})
    lone = solverq.submit("echo", scale=1)
    assert [j.params["scale"] for j in solverq.list_jobs(sweep=sweep, sort="-total")] == [3, 2, 1]
    assert {j.id for j in solverq.list_jobs(where={"scale": 1})} == {
        lone.id,
        *(j.id for j in solverq.list_jobs(sweep=sweep.id, where={"scale": 1.0})),
    }
    assert len(solverq.list_jobs(since="1h", status="succeeded", plugin="echo")) == 4
    comparison = solverq.compare(*solverq.list_jobs(sweep=sweep, limit=2))
    assert comparison.params == {"scale": [3.0, 1.0]}


def test_plot_returns_the_figure(solverq_env, test_plugins, tmp_path) -> None:
    sweep = solverq.sweep("echo", {"scale": [1, 2, 4]})
    figure = solverq.plot(sweep, metric="total", out=tmp_path / "sweep.png")
    np.testing.assert_array_equal(figure.axes[0].get_lines()[0].get_ydata(), [6, 12, 24])
    assert (tmp_path / "sweep.png").exists()


def test_a_sweep_in_processes_from_a_script_on_standard_input(solverq_env, test_plugins) -> None:
    script = (
        "import solverq\n"
        "sweep = solverq.sweep('echo', {'scale': [1, 2, 3, 4]}, processes=2)\n"
        "print([row['total'] for row in solverq.sweep_table(sweep, ['total'])])\n"
    )
    run = subprocess.run(
        [sys.executable, "-W", "ignore", "-"], input=script, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[6.0, 12.0, 18.0, 24.0]"


def test_reuse_tags_notes_rerun_and_frames(solverq_env, test_plugins) -> None:
    first = solverq.submit("echo", scale=2, reuse=True, tags={"run": "a"}, note="first")
    assert solverq.submit("echo", scale=2.0, reuse=True).id == first.id
    copy = solverq.rerun(first, scale=4)
    assert copy.summary["total"] == 24.0 and copy.tags == {"run": "a"}
    assert solverq.tag(copy, run="b").tags == {"run": "b"}
    assert solverq.note(copy, "doubled").note == "doubled"
    frame = solverq.list_jobs(as_frame=True)
    assert isinstance(frame, pd.DataFrame)
    assert sorted(zip(frame["scale"], frame["total"], frame["tag.run"], strict=True)) == [
        (2.0, 12.0, "a"),
        (4.0, 24.0, "b"),
    ]
    assert len(solverq.list_jobs(tags={"run": "b"})) == 1
    sweep = solverq.sweep("echo", {"scale": [2, 3]}, reuse=True)
    assert solverq.sweep_table(sweep)[0]["job"] == first.id
    assert solverq.delete(first, copy) == 2
    assert solverq.sweep_table(sweep)[0]["status"] == "deleted"
    assert solverq.resume_sweep(sweep).counts[JobStatus.SUCCEEDED] == 1


def test_input_arrays_beyond_the_limit_are_refused(
    solverq_env, test_plugins, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOLVERQ_MAX_INPUT_BYTES", "1000")
    with pytest.raises(RejectedRequest, match=r"take 1,600 bytes; a job's may take at most 1,000"):
        solverq.submit("echo", inputs={"values": np.ones(200)})
    assert solverq_env.list() == []


def test_predict_applies_the_model_of_a_job(solverq_env) -> None:
    x = np.linspace(0.0, 1.0, 30)
    job = solverq.submit(
        "sgd", {"test_size": 0, "tol": 1e-12, "epochs": 100_000}, inputs={"x": x, "y": 3 * x}
    )
    predicted = solverq.predict(job, {"x": np.array([2.0])})
    np.testing.assert_allclose(predicted["predictions"], [6.0], rtol=1e-6)
    with pytest.raises(RejectedRequest, match="lack the input column 'x'"):
        solverq.predict(job.id, {"z": np.ones(2)})
