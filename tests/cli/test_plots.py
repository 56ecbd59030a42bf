"""`solverq plot JOB | SWEEP`, end to end in embedded mode."""

import numpy as np
import pytest

from solverq.plugins.errors import RejectedRequest
from solverq.worker.figures import figure_of
from solverq.worker.store import JobStore, SweepStore, open_database
from tests.cli.outcomes import error_line


@pytest.fixture
def solverq_env(monkeypatch, sqlite_url) -> JobStore:
    """Figures do not depend on the database: these tests run on SQLite only."""
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("SOLVERQ_BROKER_URL", raising=False)
    return JobStore(open_database(sqlite_url))


def test_plot_a_job_writes_id_png_here(
    solverq, solverq_env, test_plugins, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    job_id = solverq("submit", "echo", "-p", "values=[1,5,2]").stdout.strip()
    outcome = solverq("plot", job_id[:8])
    assert outcome.exit_code == 0, outcome.output
    assert outcome.stdout.strip() == f"{job_id}.png"
    assert (tmp_path / f"{job_id}.png").read_bytes().startswith(b"\x89PNG")
    _, figure = figure_of(job_id)
    np.testing.assert_array_equal(figure.axes[0].get_lines()[0].get_ydata(), [1.0, 5.0, 2.0])


def test_plot_a_sweep_as_lines_or_a_heat_map(solverq, solverq_env, test_plugins, tmp_path) -> None:
    sweep_id = solverq(
        "sweep", "echo", "-g", "scale=1,10,100", "-g", "values=[1],[1,2]"
    ).stdout.strip()
    out = tmp_path / "sweep.svg"
    outcome = solverq("plot", sweep_id, "--metric", "total", "--out", str(out))
    assert outcome.exit_code == 0, outcome.output
    assert outcome.stdout.strip() == str(out) and b"<svg" in out.read_bytes()[:500]
    _, lines = figure_of(sweep_id, metric="total")
    [axes] = lines.axes
    assert [list(line.get_ydata()) for line in axes.get_lines()] == [[1, 10, 100], [3, 30, 300]]
    assert axes.get_xlabel() == "scale" and axes.get_xscale() == "log"
    heat = solverq(
        "plot",
        sweep_id,
        "--x",
        "values",
        "--y",
        "scale",
        "-m",
        "total",
        "--out",
        str(tmp_path / "h.png"),
    )
    assert heat.exit_code == 0, heat.output
    _, figure = figure_of(sweep_id, x="values", y="scale", metric="total")
    np.testing.assert_array_equal(
        figure.axes[0].get_images()[0].get_array(), [[1, 3], [10, 30], [100, 300]]
    )
    assert figure.axes[0].get_xlabel() == "values" and figure.axes[1].get_ylabel() == "total"


def test_bad_plots_exit_2(solverq, solverq_env, test_plugins, tmp_path) -> None:
    sweep_id = solverq("sweep", "echo", "-g", "scale=1,2", "-g", "values=[1],[2]").stdout.strip()
    job_id = solverq("submit", "echo").stdout.strip()
    for args, message in [
        (["plot", sweep_id], "give the summary value to plot over the sweep with --metric"),
        (["plot", sweep_id, "-m", "total", "--x", "eta"], "'eta' is not swept in sweep"),
        (["plot", sweep_id, "-m", "total", "--x", "scale", "--y", "scale"], "both 'scale'"),
        (["plot", sweep_id, "-m", "nothing"], "has the summary value 'nothing'"),
        (["plot", job_id, "--metric", "total"], f"{job_id} is a job"),
        (["plot", job_id, "--out", str(tmp_path / "x.pdf")], "as .png or .svg, not 'x.pdf'"),
        (["plot", "feedbeef"], "no job or sweep 'feedbeef'"),
    ]:
        outcome = solverq(*args)
        assert outcome.exit_code == 2, (args, outcome.output)
        assert message in error_line(outcome), args


def test_a_heat_map_refuses_a_third_swept_key(solverq_env) -> None:
    grid = {"a": [1, 2], "b": [1, 2], "c": [1, 2]}
    points = [{"a": a, "b": b, "c": c} for a in (1, 2) for b in (1, 2) for c in (1, 2)]
    sweep, _ = SweepStore(solverq_env.database).create("echo", grid, {}, points)
    with pytest.raises(RejectedRequest, match=f"sweep {sweep.id} also sweeps c; a heat map shows"):
        figure_of(sweep.id, x="a", y="b", metric="total")


def test_plot_a_failed_job_exits_1(solverq, solverq_env, test_plugins) -> None:
    job_id = solverq("submit", "explode", "-p", "kind=fail").stdout.strip()
    outcome = solverq("plot", job_id)
    assert outcome.exit_code == 1
    assert error_line(outcome).endswith("failed: diverged at x = 0.5; it has no result to plot")


SGD = ["-p", "data=polynomial", "-p", "n=60", "-p", "degree=2", "-p", "epochs=30"]


def test_an_sgd_job_shows_its_mse_per_epoch_and_the_closed_form(solverq, solverq_env) -> None:
    job_id = solverq("submit", "sgd", *SGD, "-p", "optimizer=adam", "-p", "eta=0.05").stdout.strip()
    job = solverq_env.get(job_id)
    _, figure = figure_of(job_id)
    [axes] = figure.axes
    descent, closed_form = axes.get_lines()
    history = solverq_env.result_arrays(job_id)["mse_history"]
    np.testing.assert_array_equal(descent.get_ydata(), history)
    np.testing.assert_array_equal(descent.get_xdata(), np.arange(1, history.size + 1))
    assert list(closed_form.get_ydata()) == [job.summary["mse_closed_form"]] * 2
    assert axes.get_yscale() == "log" and descent.get_label() == "adam"


def test_the_mse_of_an_sgd_sweep_over_eta_and_lambda(solverq, solverq_env) -> None:
    grid = ["-g", "eta=0.01,0.1", "-g", "lambda=1e-4,1e-2,1e-1", "-p", "model=ridge"]
    sweep_id = solverq("sweep", "sgd", *grid, *SGD).stdout.strip()
    _, figure = figure_of(sweep_id, x="eta", y="lambda", metric="mse")
    jobs = SweepStore(solverq_env.database).jobs(sweep_id)
    expected = np.array([job.summary["mse"] for job in jobs]).reshape(2, 3).T
    np.testing.assert_array_equal(figure.axes[0].get_images()[0].get_array(), expected)


def test_several_jobs_are_overlaid(solverq, solverq_env, test_plugins, tmp_path) -> None:
    job_ids = [
        solverq("submit", "echo", "-p", f"scale={scale}").stdout.strip() for scale in (1, 2, 3)
    ]
    out = tmp_path / "overlay.svg"
    outcome = solverq("plot", *job_ids, "--y", "values", "--out", str(out))
    assert outcome.exit_code == 0, outcome.output
    assert out.exists() and "scale=3.0" in out.read_text()
    sweep_id = solverq("sweep", "echo", "-g", "scale=1,2").stdout.strip()
    by_sweep = solverq("plot", "--sweep", sweep_id, "--y", "values", "--out", str(out))
    assert by_sweep.exit_code == 0 and "scale=2.0" in out.read_text()
    missing = solverq("plot", *job_ids, "--metric", "total")
    assert missing.exit_code == 2 and "--y ARRAY" in error_line(missing)
