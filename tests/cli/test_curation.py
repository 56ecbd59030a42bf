"""`solverq tag`, `note` and `delete`, and reuse, rerun and resume from the command line."""

import json

from solverq.worker.store import JobStatus, SweepStore
from tests.cli.outcomes import error_line


def submit(solverq, *args: str) -> str:
    outcome = solverq("submit", *args)
    assert outcome.exit_code == 0, outcome.output
    return outcome.stdout.strip()


def test_tags_and_notes_are_set_shown_and_filtered(solverq, solverq_env, test_plugins) -> None:
    first = submit(solverq, "echo", "-p", "scale=2", "--tag", "run=base", "--note", "the first")
    second = submit(solverq, "echo", "-p", "scale=3", "-t", "run=other")
    assert solverq("tag", first[:8], "data=x", "run=best").stdout.strip() == "data=x run=best"
    assert solverq("note", second, "too slow").exit_code == 0
    listed = solverq("list", "--tag", "run=best", "--json")
    assert [job["id"] for job in json.loads(listed.stdout)] == [first]
    table = solverq("list").stdout
    assert "data=x run=best" in table and "run=other" in table and "too slo" in table
    status = solverq("status", first).stdout
    assert "the first" in status and "best" in status
    record = json.loads(solverq("status", second, "--json").stdout)
    assert (record["tags"], record["note"]) == ({"run": "other"}, "too slow")
    compared = solverq("compare", first, second).stdout
    assert "tags" in compared and "too slow" in compared and "base" not in compared
    bad = solverq("tag", first, "no-equals-sign")
    assert bad.exit_code == 2 and "expected a tag as KEY=VALUE" in error_line(bad)


def test_submit_reuse_runs_one_job(solverq, solverq_env, test_plugins) -> None:
    first = solverq("submit", "echo", "-p", "scale=2", "--reuse")
    again = solverq("submit", "echo", "-p", "scale=2.0", "--reuse", "--json")
    assert first.exit_code == again.exit_code == 0
    assert json.loads(again.stdout)["id"] == first.stdout.strip()
    assert f"reused job {first.stdout.strip()} (succeeded)" in again.stderr
    assert "reused" not in first.stderr
    assert len(solverq_env.list()) == 1


def test_status_shows_the_provenance(solverq, solverq_env, test_plugins) -> None:
    job_id = submit(solverq, "sgd", "-p", "data=polynomial", "-p", "epochs=2", "-p", "seed=5")
    record = json.loads(solverq("status", job_id, "--json").stdout)
    versions = record["provenance"]
    assert versions["plugin"]["name"] == "sgd" and versions["seed"] == 5
    shown = solverq("status", job_id).stdout
    assert f"numpy {versions['numpy']}" in shown and "embedded" in shown
    assert f"sgd {versions['plugin']['version']} (solverq)" in shown


def test_rerun_with_overrides_and_wait(solverq, solverq_env, test_plugins) -> None:
    job_id = submit(solverq, "echo", "-p", "scale=2")
    outcome = solverq("rerun", job_id[:8], "-p", "scale=5", "--wait", "--json")
    assert outcome.exit_code == 0, outcome.output
    record = json.loads(outcome.stdout)
    assert record["id"] != job_id and record["summary"]["total"] == 30.0


def test_delete_asks_or_needs_yes_and_reports_the_bytes(solverq, solverq_env, test_plugins) -> None:
    job_id = submit(solverq, "echo", "-p", "values=[1,2,3,4]")
    size = solverq_env.stored_bytes([job_id])
    refused = solverq("delete", job_id)
    assert refused.exit_code == 2 and "give --yes" in error_line(refused)
    assert solverq("delete", job_id, "--yes").stdout.strip() == (
        f"deleted 1 jobs ({size} bytes)"
        if size < 1000
        else f"deleted 1 jobs ({size / 1000:.1f} kB)"
    )
    assert solverq("status", job_id).exit_code == 2


def test_delete_a_running_job_only_with_force(solverq, solverq_env, test_plugins) -> None:
    job = solverq_env.create("sleep", {})
    solverq_env.claim(job.id)
    refused = solverq("delete", job.id, "--yes")
    assert refused.exit_code == 2 and "cancel them first, or delete with --force" in error_line(
        refused
    )
    assert solverq("delete", job.id, "--yes", "--force").exit_code == 0
    assert solverq_env.list() == []


def test_a_grown_sweep_with_reuse_runs_the_new_points_and_resume(
    solverq, solverq_env, test_plugins
) -> None:
    first = solverq("sweep", "echo", "-g", "scale=1,2", "--reuse")
    assert "reused 0 of 2 points; 2 new jobs" in first.stderr
    grown = solverq("sweep", "echo", "-g", "scale=1,2,3,4", "--reuse", "--tag", "grid=big")
    assert grown.exit_code == 0, grown.output
    assert "reused 2 of 4 points; 2 new jobs" in grown.stderr
    assert len(solverq_env.list()) == 4
    sweep_id = grown.stdout.strip()
    rows = json.loads(solverq("sweep", "table", sweep_id, "--json").stdout)
    assert [row["total"] for row in rows] == [6.0, 12.0, 18.0, 24.0]
    solverq("delete", "--yes", rows[3]["job"])
    table = solverq("sweep", "table", sweep_id).stdout
    assert "deleted" in table
    assert "deleted" in solverq("sweep", "status", sweep_id).stdout


def test_resume_runs_the_cancelled_points_again(solverq, solverq_env, test_plugins) -> None:
    sweeps = SweepStore(solverq_env.database)
    sweep, job_ids = sweeps.create(
        "echo", {"scale": [1.0, 2.0]}, {}, [{"scale": 1.0}, {"scale": 2.0}]
    )
    sweeps.cancel(sweep.id)
    resumed = solverq("sweep", "resume", sweep.id[:8], "--wait", "-m", "total")
    assert resumed.exit_code == 0, resumed.output
    assert "queued 2 points of sweep" in resumed.stderr and "succeeded" in resumed.stdout
    rows = json.loads(solverq("sweep", "table", sweep.id, "--json").stdout)
    assert [row["total"] for row in rows] == [6.0, 12.0]
    assert not {row["job"] for row in rows} & set(job_ids)
    assert {solverq_env.get(job_id).status for job_id in job_ids} == {JobStatus.CANCELLED}
