"""`solverq sweep PLUGIN | status | table`, end to end in embedded mode."""

import csv
import io
import json

import pytest

from solverq.worker.store import JobStatus, SweepStore
from tests.cli.outcomes import error_line


def test_a_sweep_runs_one_job_per_point_in_grid_order(solverq, solverq_env, test_plugins) -> None:
    outcome = solverq(
        "sweep", "echo", "--grid", "scale=1,2", "--grid", "values=[1],[1,2]", "-p", "values=[9]"
    )
    assert outcome.exit_code == 0, outcome.output
    sweep_id = outcome.stdout.strip()
    sweep = SweepStore(solverq_env.database).get(sweep_id)
    assert (sweep.plugin, sweep.size, sweep.counts[JobStatus.SUCCEEDED]) == ("echo", 4, 4)
    assert sweep.grid == {"scale": [1, 2], "values": [[1], [1, 2]]}
    assert sweep.params == {"values": [9]}
    jobs = SweepStore(solverq_env.database).jobs(sweep_id)
    assert [(job.params["scale"], job.params["values"]) for job in jobs] == [
        (1.0, [1.0]),
        (1.0, [1.0, 2.0]),
        (2.0, [1.0]),
        (2.0, [1.0, 2.0]),
    ]
    assert [job.summary["total"] for job in jobs] == [1.0, 3.0, 2.0, 6.0]
    assert {job.sweep_id for job in jobs} == {sweep_id}


def test_the_table_has_swept_values_and_metrics(solverq, solverq_env, test_plugins) -> None:
    sweep_id = solverq("sweep", "echo", "-g", "scale=linspace(1,3,3)").stdout.strip()
    rows = json.loads(solverq("sweep", "table", sweep_id, "--json").stdout)
    assert [(row["scale"], row["total"], row["count"]) for row in rows] == [
        (1.0, 6.0, 3),
        (2.0, 12.0, 3),
        (3.0, 18.0, 3),
    ]
    assert {row["status"] for row in rows} == {"succeeded"}
    text = solverq("sweep", "table", sweep_id[:8], "--csv", "--metric", "total").stdout
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert list(parsed[0]) == ["job", "status", "scale", "total", "error"]
    assert [(row["scale"], row["total"]) for row in parsed] == [
        ("1.0", "6.0"),
        ("2.0", "12.0"),
        ("3.0", "18.0"),
    ]
    table = solverq("sweep", "table", sweep_id, "-m", "count")
    assert table.exit_code == 0
    assert "scale" in table.stdout and "count" in table.stdout and "total" not in table.stdout
    without_headline = solverq("sweep", "table", sweep_id).stdout.splitlines()[0]
    assert without_headline.split() == ["job", "status", "scale", "count", "total"]


def test_a_metric_no_summary_holds_is_refused(solverq, solverq_env, test_plugins) -> None:
    sweep_id = solverq("sweep", "echo", "-g", "scale=1,2").stdout.strip()
    refused = solverq("sweep", "table", sweep_id, "-m", "totl")
    assert refused.exit_code == 2
    assert f"no job of sweep {sweep_id[:12]} has the summary value 'totl'" in refused.stderr
    assert "(its summaries have: count, total)" in refused.stderr
    assert solverq("sweep", "table", sweep_id, "-m", "total", "--csv").exit_code == 0


def test_wait_prints_the_table_and_json_the_sweep(solverq, solverq_env, test_plugins) -> None:
    outcome = solverq("sweep", "echo", "-g", "scale=2,4", "--wait", "-m", "total")
    assert outcome.exit_code == 0, outcome.output
    assert "succeeded" in outcome.stdout and "24" in outcome.stdout
    assert "total" in outcome.stdout and "count" not in outcome.stdout
    record = json.loads(solverq("sweep", "echo", "-g", "scale=2,4", "--json").stdout)
    assert record["size"] == 2 and record["counts"]["succeeded"] == 2
    assert record["grid"] == {"scale": [2, 4]} and record["plugin"] == "echo"


def test_failed_points_exit_1_and_show_their_reason(solverq, solverq_env, test_plugins) -> None:
    outcome = solverq("sweep", "explode", "--grid", "kind=fail,crash", "--wait")
    assert outcome.exit_code == 1
    assert "diverged at x = 0.5" in outcome.stdout
    sweep_id = error_line(outcome).split()[2].rstrip(":")
    rows = json.loads(solverq("sweep", "table", sweep_id, "--json").stdout)
    assert [row["error"] for row in rows] == [
        "diverged at x = 0.5",
        "plugin explode raised RuntimeError: boom",
    ]
    assert error_line(outcome) == (
        f"error: sweep {sweep_id}: 2 of 2 jobs did not succeed: "
        f"kind=fail (job {rows[0]['job'][:12]} failed); "
        f"kind=crash (job {rows[1]['job'][:12]} failed)"
    )


def test_status_counts_jobs_by_state(solverq, solverq_env, test_plugins) -> None:
    sweep_id = solverq("sweep", "explode", "-g", "kind=fail,crash").stdout.strip()
    outcome = solverq("sweep", "status", sweep_id)
    assert outcome.exit_code == 0 and sweep_id in outcome.stdout and "2/2" in outcome.stdout
    record = json.loads(solverq("sweep", "status", sweep_id, "--json").stdout)
    assert record["counts"] == {
        "queued": 0,
        "running": 0,
        "succeeded": 0,
        "failed": 2,
        "cancelled": 0,
    }
    waited = solverq("sweep", "status", sweep_id, "--wait")
    assert waited.exit_code == 1 and "2 of 2 jobs did not succeed" in error_line(waited)


def test_the_explicit_submit_form_and_a_process_pool(
    solverq, sqlite_url, monkeypatch, test_plugins
) -> None:
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("SOLVERQ_BROKER_URL", raising=False)
    outcome = solverq("sweep", "submit", "echo", "-g", "scale=1,2,3", "--processes", "2", "--json")
    assert outcome.exit_code == 0, outcome.output
    record = json.loads(outcome.stdout)
    assert record["counts"]["succeeded"] == 3
    rows = json.loads(solverq("sweep", "table", record["id"], "--json").stdout)
    assert [row["total"] for row in rows] == [6.0, 12.0, 18.0]


BAD_SWEEPS = [
    (
        ["sweep", "echo", "-g", "scale=1,-2", "-g", "values=[1],[1,2]"],
        "point scale=-2, values=[1]: parameter 'scale' of echo must be greater than 0, got -2",
    ),
    (["sweep", "echo", "-g", "speed=1,2"], "point speed=1: unknown parameter 'speed' of echo"),
    (["sweep", "nope", "-g", "a=1"], "unknown plugin 'nope'"),
    (["sweep", "echo", "-g", "scale"], "expected KEY=V1,V2,... for a grid, got 'scale'"),
    (["sweep", "echo", "-g", "scale=1,,2"], "grid of 'scale': empty value in '1,,2'"),
    (["sweep", "echo", "-g", "scale=1", "-g", "scale=2"], "'scale' is given more than one"),
    (["sweep", "echo", "-g", "scale=linspace(1,2)"], "expected linspace(start,stop,count)"),
    (
        ["sweep", "echo", "-g", "scale=linspace(1,2,101)", "-g", "values=linspace(1,2,100)"],
        "the grid has 10100 points (101 x 100); the limit is 10000",
    ),
    (["sweep", "echo", "-g", "scale=1", "--time-limit", "-1"], "time limit must be"),
    (["sweep", "status", "feedbeef"], "no sweep 'feedbeef'"),
    (["sweep", "table", "feedbeef"], "no sweep 'feedbeef'"),
    (["sweep", "table", "feedbeef", "--json", "--csv"], "choose one of --json and --csv"),
]


def test_bad_sweeps_exit_2_and_store_nothing(solverq, solverq_env, test_plugins) -> None:
    for args, message in BAD_SWEEPS:
        outcome = solverq(*args)
        assert outcome.exit_code == 2, outcome.output
        assert message in error_line(outcome)
    assert solverq_env.list() == []


def test_a_sweep_needs_a_grid(solverq, solverq_env, test_plugins) -> None:
    outcome = solverq("sweep", "echo")
    assert outcome.exit_code == 2 and "--grid" in outcome.stderr


SGD = ["-p", "data=polynomial", "-p", "n=100", "-p", "coefficients=[1,2,3]", "-p", "model=ridge"]
NARROW = 80


def lines_of(text: str) -> list[str]:
    lines = text.splitlines()
    assert all(len(line) <= NARROW for line in lines), text
    return lines


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_at_80_columns_the_table_shows_headline_metrics_and_one_line_errors(
    solverq, solverq_env, terminal_width
) -> None:
    terminal_width(NARROW)
    outcome = solverq("sweep", "sgd", "-g", "eta=0.01,10", "-g", "lambda=1e-4,1e-3", *SGD, "-w")
    assert outcome.exit_code == 1
    sweep_id = error_line(outcome).split()[2].rstrip(":")
    rows = json.loads(solverq("sweep", "table", sweep_id, "--json").stdout)
    assert {"epochs", "lambda_max", "mse_closed_form"} <= set(rows[0])
    header, *table, hint = lines_of(outcome.stdout)
    assert header.split() == ["job", "status", "eta", "lambda", "mse", "r2", "error"]
    assert hint == "an error in full: solverq status JOB"
    assert len(table) == len(rows) == 4
    for line, row in zip(table, rows, strict=True):
        job, status, eta, lam, *rest = line.split(maxsplit=6 if row["error"] is None else 4)
        assert (job, status) == (row["job"][:12], row["status"])
        assert (float(eta), float(lam)) == (row["eta"], row["lambda"])
        if row["error"] is None:
            assert rest == [f"{row['mse']:.6g}", f"{row['r2']:.6g}"]
        else:
            [cut] = rest
            assert len(cut) < len(row["error"]) and cut.endswith("…")
            assert row["error"].startswith(cut.removesuffix("…"))
    status = solverq("status", rows[-1]["job"][:12])
    assert " ".join(row["error"].split()) in " ".join(status.stdout.split())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_explicit_metrics_replace_the_headline_and_what_does_not_fit_is_named(
    solverq, solverq_env, terminal_width
) -> None:
    terminal_width(NARROW)
    sweep_id = solverq("sweep", "sgd", "-g", "eta=0.01,0.02", *SGD, "-p", "lambda=1e-3").stdout
    sweep_id = sweep_id.strip()
    metrics = ["epochs", "converged", "lambda_max", "mse_closed_form", "eta", "theta"]
    outcome = solverq("sweep", "table", sweep_id, *(f"--metric={m}" for m in metrics))
    header, *_, left_out = lines_of(outcome.stdout)
    shown = header.split()
    assert shown[:6] == ["job", "status", "eta", "epochs", "converged", "lambda_max"]
    assert "mse" not in shown and all("…" not in heading for heading in shown)
    assert left_out.startswith("too wide to show: ") and left_out.endswith(" (see --csv)")
    named = left_out.removeprefix("too wide to show: ").removesuffix(" (see --csv)").split(", ")
    assert "theta" in named and not set(named) & set(shown)
    columns = ["job", "status", "eta", *metrics[:4], "summary.eta", "theta"]
    assert set(shown) | set(named) == set(columns)
    wide = solverq("sweep", "table", sweep_id, "--csv").stdout.splitlines()[0].split(",")
    assert {"epochs", "mse", "r2", "lambda_max", "gradient_norm"} <= set(wide)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_exit_line_names_the_failed_points_within_a_readable_length(
    solverq, solverq_env
) -> None:
    y0 = "[" + ",".join(str(k) for k in range(1, 31)) + "]"
    outcome = solverq(
        "sweep", "euler", "-g", f"y0={y0},1", "-g", "x1=1,2", "-p", "rhs=1/(x-0.5)", "-w"
    )
    assert outcome.exit_code == 1
    line = error_line(outcome)
    sweep_id = line.split()[2].rstrip(":")
    rows = json.loads(solverq("sweep", "table", sweep_id, "--json").stdout)
    assert [row["status"] for row in rows] == ["failed"] * 4
    first = f"y0=[1,2,3,4,5,6,7,8,9,…, x1=1 (job {rows[0]['job'][:12]} failed)"
    assert line == f"error: sweep {sweep_id}: 4 of 4 jobs did not succeed: {first}; 3 more"
    outcome = solverq("sweep", "sgd", "-g", "eta=10,20,30,40", *SGD, "-p", "lambda=1e-3", "-w")
    line = error_line(outcome)
    assert ": 4 of 4 jobs did not succeed: eta=10 (job " in line and "; eta=30 (job " in line
    assert "eta=40" not in line and line.endswith(" failed); 1 more") and len(line) <= 7 + 160 + 8
