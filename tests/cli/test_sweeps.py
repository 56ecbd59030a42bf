"""`solverq sweep PLUGIN | status | table`, end to end in embedded mode."""

import csv
import io
import json

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
    assert error_line(outcome).endswith("2 of 2 jobs did not succeed")
    assert "diverged at x = 0.5" in outcome.stdout
    sweep_id = error_line(outcome).split()[2].rstrip(":")
    rows = json.loads(solverq("sweep", "table", sweep_id, "--json").stdout)
    assert [row["error"] for row in rows] == [
        "diverged at x = 0.5",
        "plugin explode raised RuntimeError: boom",
    ]


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
