"""`solverq list` filters and exports, and `solverq compare`, end to end in embedded mode."""

import csv
import io
import json

import pytest

from tests.cli.outcomes import error_line


def listed(solverq, *args: str) -> list[str]:
    outcome = solverq("list", "--json", *args)
    assert outcome.exit_code == 0, outcome.output
    return [record["id"] for record in json.loads(outcome.stdout)]


def test_list_filters_by_sweep_and_parameter_values(solverq, solverq_env, test_plugins) -> None:
    sweep_id = solverq(
        "sweep", "echo", "-g", "scale=1,2,3", "-g", "values=[1],[1,2]"
    ).stdout.strip()
    lone = solverq("submit", "echo", "-p", "scale=2").stdout.strip()
    assert len(listed(solverq, "--sweep", sweep_id[:8])) == 6
    assert lone not in listed(solverq, "--sweep", sweep_id)
    by_scale = listed(solverq, "--where", "scale=2")
    assert len(by_scale) == 3 and lone in by_scale
    both = listed(solverq, "--where", "scale=2", "--where", "values=[1,2]")
    assert [solverq_env.get(job_id).summary["total"] for job_id in both] == [6.0]
    assert listed(solverq, "--where", "scale=2", "--sweep", sweep_id, "--where", "values=[5]") == []
    assert len(listed(solverq, "--since", "1h")) == 7
    assert listed(solverq, "--until", "1h") == []
    assert len(listed(solverq, "--since", "2000-01-01", "--until", "2999-12-31T23:59")) == 7


def test_list_sorts_by_a_metric(solverq, solverq_env, test_plugins) -> None:
    solverq("sweep", "echo", "-g", "scale=2,1,3")
    failed = solverq("submit", "explode", "-p", "kind=fail").stdout.strip()
    totals = [solverq_env.get(i).summary for i in listed(solverq, "--sort", "total")]
    assert [s["total"] for s in totals[:3]] == [6.0, 12.0, 18.0] and totals[3] is None
    descending = listed(solverq, "--sort", "-total")
    assert [solverq_env.get(i).summary["total"] for i in descending[:3]] == [18.0, 12.0, 6.0]
    assert descending[3] == failed
    table = solverq("list", "--sort=-total", "--limit", "1")
    assert table.exit_code == 0 and "total" in table.stdout and "18" in table.stdout


def test_list_exports_csv_with_parameters_and_summaries(solverq, solverq_env, test_plugins) -> None:
    job_id = solverq("submit", "echo", "-p", "values=[1,2]", "-p", "scale=2").stdout.strip()
    rows = list(csv.DictReader(io.StringIO(solverq("list", "--csv").stdout)))
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == job_id and row["status"] == "succeeded" and row["error"] == ""
    assert json.loads(row["params.values"]) == [1.0, 2.0]
    assert float(row["params.scale"]) == 2.0 and float(row["summary.total"]) == 6.0
    empty = solverq("list", "--csv", "--plugin", "nope")
    assert empty.stdout.startswith("id,plugin,status")


def test_compare_shows_what_differs(solverq, solverq_env, test_plugins) -> None:
    first = solverq("submit", "echo", "-p", "scale=2").stdout.strip()
    second = solverq("submit", "echo", "-p", "scale=3").stdout.strip()
    comparison = json.loads(solverq("compare", first, second[:8], "--json").stdout)
    assert [job["id"] for job in comparison["jobs"]] == [first, second]
    assert comparison["params"] == {"scale": [2.0, 3.0]}
    assert comparison["summary"] == {"total": [12.0, 18.0], "count": [3, 3]}
    table = solverq("compare", first, second)
    assert table.exit_code == 0
    assert "scale" in table.stdout and "values" not in table.stdout and "18" in table.stdout


def test_compare_prints_jobs_that_do_not_fit_side_by_side_in_groups(
    solverq, solverq_env, test_plugins, terminal_width
) -> None:
    job_ids = [solverq("submit", "echo", "-p", f"scale={scale}").stdout.strip() for scale in (2, 3)]
    terminal_width(36)  # the keys and one job
    table = solverq("compare", *job_ids).stdout
    assert "…" not in table and max(map(len, table.splitlines())) <= 36
    groups = table.split("\n\n")
    assert [group.split()[0] for group in groups] == [job_id[:12] for job_id in job_ids]
    for group, total in zip(groups, ("12", "18"), strict=True):
        assert "parameters" in group and "scale" in group and total in group
    terminal_width(80)
    assert len(solverq("compare", *job_ids).stdout.split("\n\n")) == 1


def test_bad_queries_exit_2(solverq, solverq_env, test_plugins) -> None:
    job_id = solverq("submit", "echo").stdout.strip()
    for args, message in [
        (["list", "--where", "scale"], "expected KEY=VALUE, got 'scale'"),
        (["list", "--where", "a..b=1"], "malformed key 'a..b'"),
        (["list", "--where", 'constants={"g":1}'], "with dotted keys, e.g. constants.gamma=1"),
        (["list", "--since", "yesterday"], "got 'yesterday'"),
        (["list", "--sort", "to tal"], "malformed key 'to tal'"),
        (["list", "--sweep", "feedbeef"], "no sweep 'feedbeef'"),
        (["list", "--status", "done"], "unknown status 'done'"),
        (["list", "--json", "--csv"], "choose one of --json and --csv"),
        (["compare", job_id], "give at least two jobs to compare"),
        (["compare", job_id, "feedbeef"], "no job 'feedbeef'"),
    ]:
        outcome = solverq(*args)
        assert outcome.exit_code == 2, (args, outcome.output)
        assert message in error_line(outcome), args


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_at_80_columns_list_shows_headline_metrics_and_one_line_errors(
    solverq, solverq_env, terminal_width
) -> None:
    terminal_width(80)
    sgd = ["-p", "data=polynomial", "-p", "n=50", "-p", "coefficients=[1,2]"]
    solverq("submit", "sgd", *sgd)
    solverq("submit", "sgd", *sgd, "-p", "eta=10")
    solverq("submit", "euler", "-p", "problem=decay", "-p", "n=100")
    solverq("submit", "convolution", "-p", "a=[1,2]", "-p", "b=[1,1]")
    jobs = json.loads(solverq("list", "--json").stdout)
    outcome = solverq("list")
    lines = outcome.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), outcome.stdout
    header, *rows, hint = lines
    assert header.split() == ["id", "plugin", "status", "created", "duration", "outcome"]
    assert hint == "an outcome in full: solverq status JOB"
    outcomes = [line[header.index("outcome") :].rstrip() for line in rows]
    _, euler, failed, succeeded = jobs
    assert [job["plugin"] for job in jobs] == ["convolution", "euler", "sgd", "sgd"]
    assert outcomes[0] == "method=direct"
    assert outcomes[1] == f"max_abs_error={euler['summary']['max_abs_error']:.4g}"
    assert failed["status"] == "failed" and outcomes[2].endswith("…")
    assert failed["error"].startswith(outcomes[2].removesuffix("…"))
    summary = succeeded["summary"]
    assert outcomes[3] == f"mse={summary['mse']:.4g}  r2={summary['r2']:.4g}"
    sorted_lines = solverq("list", "--sort", "mse", "--plugin", "sgd").stdout.splitlines()
    header = sorted_lines[0]
    assert header.split()[-2:] == ["mse", "outcome"]
    assert sorted_lines[1][header.index("outcome") :].rstrip() == f"r2={summary['r2']:.4g}"
    empty = solverq("list", "--plugin", "heat")
    assert (empty.exit_code, empty.stdout, empty.stderr) == (0, "", "no jobs match\n")
