"""`solverq submit | status | result | list | cancel`, end to end in embedded mode."""

import json

import numpy as np
import pytest

from solverq.worker.store import JobStatus

RECORD_KEYS = {
    "id",
    "plugin",
    "status",
    "params",
    "error",
    "created_at",
    "started_at",
    "finished_at",
    "summary",
    "array_descriptions",
}


def test_submit_prints_the_job_id(solverq, solverq_env, test_plugins) -> None:
    outcome = solverq("submit", "echo", "-p", "values=[1,2]")
    assert outcome.exit_code == 0, outcome.output
    job_id = outcome.stdout.strip()
    assert len(job_id) == 32
    assert solverq_env.get(job_id).status is JobStatus.SUCCEEDED


def test_submit_wait_prints_the_outcome(solverq, solverq_env, test_plugins) -> None:
    outcome = solverq("submit", "echo", "-p", "values=[1,2]", "-p", "scale=2", "--wait")
    assert outcome.exit_code == 0, outcome.output
    assert "succeeded" in outcome.stdout
    assert "total" in outcome.stdout and "6.0" in outcome.stdout


def test_submit_json_prints_the_validated_record(solverq, solverq_env, test_plugins) -> None:
    outcome = solverq("submit", "echo", "-p", "scale=2", "--wait", "--json")
    record = json.loads(outcome.stdout)
    assert set(record) >= RECORD_KEYS
    assert record["params"] == {"values": [1.0, 2.0, 3.0], "scale": 2.0}
    assert record["summary"] == {"total": 12.0, "count": 3}
    assert record["array_descriptions"] == {"values": {"shape": [3], "dtype": "float64"}}


def test_parameters_from_a_file_are_overridden_by_options(
    solverq, solverq_env, test_plugins, tmp_path
) -> None:
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"values": [1, 1], "scale": 5}))
    outcome = solverq("submit", "echo", "--params", str(params), "-p", "scale=1", "--json")
    assert json.loads(outcome.stdout)["summary"]["total"] == 2.0


@pytest.mark.parametrize("suffix", [".npz", ".npy", ".csv"])
def test_data_files_become_input_arrays(
    solverq, solverq_env, test_plugins, tmp_path, suffix
) -> None:
    path = tmp_path / f"values{suffix}"
    values = np.array([0.5, 1.5, 4.0])
    if suffix == ".npz":
        np.savez(path, values=values)
    elif suffix == ".npy":
        np.save(path, values)
    else:
        path.write_text("values\n0.5\n1.5\n4\n")
    outcome = solverq("submit", "echo", "--data", str(path), "--json")
    record = json.loads(outcome.stdout)
    assert record["summary"]["total"] == 6.0
    np.testing.assert_array_equal(solverq_env.inputs(record["id"])["values"], values)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["submit", "nope"], "unknown plugin 'nope' (known: "),
        (["submit", "echo", "-p", "speed=2"], "unknown parameter 'speed' of echo (known: "),
        (
            ["submit", "echo", "-p", "scale=fast"],
            "parameter 'scale' of echo must be a valid number",
        ),
        (["submit", "echo", "-p", "scale=0"], "parameter 'scale' of echo must be greater than 0"),
        (
            ["submit", "echo", "-p", "scale=NaN"],
            "parameter 'scale' of echo must be a finite number",
        ),
        (["submit", "echo", "-p", "values=[]"], "parameter 'values' of echo"),
        (["submit", "echo", "-p", "scale"], "expected KEY=VALUE, got 'scale'"),
        (["submit", "echo", "--data", "missing.npz"], "data file missing.npz does not exist"),
        (["submit", "echo", "--time-limit", "-1"], "time limit must be a positive number"),
        (["status", "feedbeef"], "no job 'feedbeef'"),
        (["list", "--status", "done"], "unknown status 'done' (known: queued, running, "),
        (["list", "--until", "1000000w"], "until: '1000000w' ago is before the earliest date"),
        (["list", "--since", "99999999999999999999d"], "since: '99999999999999999999d' ago"),
        (["submit", "echo", "--queue", "q" * 300], "queue name has 300 characters; at most 200"),
    ],
)
def test_rejected_requests_exit_2_with_one_line(
    solverq, solverq_env, test_plugins, args, message
) -> None:
    outcome = solverq(*args)
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith("error: ") and message in outcome.stderr
    assert outcome.stderr.count("\n") == 1 and "Traceback" not in outcome.output
    assert solverq_env.list() == []


def test_float_literals_with_an_exponent_stay_floats(solverq, solverq_env) -> None:
    outcome = solverq("submit", "convolution", "-p", "a=[1e20,2.5]", "-p", "b=[0.5]", "--json")
    job = solverq_env.get(json.loads(outcome.stdout)["id"])
    assert [type(value) for value in job.params["a"]] == [float, float]
    assert job.summary["output"] == [5e19, 1.25]
    huge = ("-p", "a=[1e308,1e308]", "-p", "b=[1e308]", "--json")
    overflowed = solverq_env.get(json.loads(solverq("submit", "convolution", *huge).stdout)["id"])
    assert [type(value) for value in overflowed.params["a"]] == [float, float]
    assert overflowed.status is JobStatus.FAILED and "convolution overflowed" in overflowed.error


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("data.txt", "1 2", "must be .npz, .npy or .csv"),
        ("data.csv", "", "is empty"),
        ("data.csv", "x,y\n1,2\n3\n", "line 3: 1 values for 2 columns"),
        ("data.csv", "x,y\n1,2\n3,abc\n", "line 3, column 'y': 'abc' is not a number"),
        ("data.csv", "x,x\n1,2\n", "the header must name every column once"),
        ("data.csv", "values\n1\nnan\n", "input array 'values' of echo holds nan at index 1"),
        ("data.npz", "not a zip file", "cannot read data file"),
    ],
)
def test_unreadable_data_is_rejected(
    solverq, solverq_env, test_plugins, tmp_path, name, content, message
) -> None:
    path = tmp_path / name
    path.write_text(content)
    outcome = solverq("submit", "echo", "--data", str(path))
    assert outcome.exit_code == 2, outcome.output
    assert message in outcome.stderr
    assert solverq_env.list() == []


def test_pickled_data_is_refused(solverq, solverq_env, test_plugins, tmp_path) -> None:
    path = tmp_path / "values.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    outcome = solverq("submit", "echo", "--data", str(path))
    assert outcome.exit_code == 2 and "cannot read data file" in outcome.stderr


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("fail", "diverged at x = 0.5"), ("crash", "plugin explode raised RuntimeError: boom")],
)
def test_a_failed_job_exits_1_with_its_reason(
    solverq, solverq_env, test_plugins, kind, reason
) -> None:
    outcome = solverq("submit", "explode", "-p", f"kind={kind}", "--wait")
    assert outcome.exit_code == 1
    assert outcome.stderr.strip().endswith(f"failed: {reason}")
    [job] = solverq_env.list()
    assert (job.status, job.error) == (JobStatus.FAILED, reason)


def test_status_shows_the_job(solverq, solverq_env, test_plugins) -> None:
    job_id = solverq("submit", "echo").stdout.strip()
    outcome = solverq("status", job_id[:8])
    assert outcome.exit_code == 0 and job_id in outcome.stdout and "succeeded" in outcome.stdout
    record = json.loads(solverq("status", job_id, "--json").stdout)
    assert set(record) >= RECORD_KEYS and record["id"] == job_id


def test_result_writes_the_arrays(solverq, solverq_env, test_plugins, tmp_path) -> None:
    job_id = solverq("submit", "echo", "-p", "values=[2,3]").stdout.strip()
    out = tmp_path / "result.npz"
    outcome = solverq("result", job_id, "--out", str(out))
    assert outcome.exit_code == 0, outcome.output
    assert "total" in outcome.stdout
    with np.load(out) as archive:
        np.testing.assert_array_equal(archive["values"], [2.0, 3.0])
    assert json.loads(solverq("result", job_id, "--json").stdout)["summary"]["total"] == 5.0


def test_result_of_a_failed_or_unfinished_job_exits_1(solverq, solverq_env, test_plugins) -> None:
    failed = solverq("submit", "explode", "-p", "kind=fail").stdout.strip()
    outcome = solverq("result", failed)
    assert outcome.exit_code == 1 and "diverged at x = 0.5" in outcome.stderr
    queued = solverq_env.create("echo", {})
    outcome = solverq("result", queued.id)
    assert outcome.exit_code == 1 and "is queued (0%); it has no result yet" in outcome.stderr


def test_list_filters_jobs(solverq, solverq_env, test_plugins) -> None:
    ok = solverq("submit", "echo").stdout.strip()
    bad = solverq("submit", "explode").stdout.strip()
    listed = json.loads(solverq("list", "--json").stdout)
    assert [r["id"] for r in listed] == [bad, ok]
    failed = json.loads(solverq("list", "--status", "failed", "--json").stdout)
    assert [r["id"] for r in failed] == [bad]
    assert [r["id"] for r in json.loads(solverq("list", "--plugin", "echo", "--json").stdout)] == [
        ok
    ]
    table = solverq("list", "--limit", "1")
    assert table.exit_code == 0 and bad[:12] in table.stdout and ok[:12] not in table.stdout


def test_cancel_a_queued_job(solverq, solverq_env, test_plugins) -> None:
    queued = solverq_env.create("sleep", {})
    outcome = solverq("cancel", queued.id)
    assert outcome.exit_code == 0 and f"cancelled {queued.id}" in outcome.stdout
    assert solverq_env.get(queued.id).status is JobStatus.CANCELLED


def test_cancel_a_finished_job_exits_1(solverq, solverq_env, test_plugins) -> None:
    job_id = solverq("submit", "echo").stdout.strip()
    outcome = solverq("cancel", job_id)
    assert outcome.exit_code == 1 and "already succeeded; nothing to cancel" in outcome.stderr


def test_result_out_writes_exactly_the_path_named(solverq, solverq_env, test_plugins, tmp_path):
    job_id = solverq("submit", "echo", "-p", "values=[2,3]").stdout.strip()
    out = tmp_path / "noext"
    outcome = solverq("result", job_id, "--out", str(out))
    assert outcome.exit_code == 0 and f"to {out}" in outcome.stderr
    assert not (tmp_path / "noext.npz").exists()
    with np.load(out) as archive:
        np.testing.assert_array_equal(archive["values"], [2.0, 3.0])


def test_result_out_overwrites_only_with_force(solverq, solverq_env, test_plugins, tmp_path):
    job_id = solverq("submit", "echo", "-p", "values=[2,3]").stdout.strip()
    out = tmp_path / "result.npz"
    out.write_text("keep me")
    refused = solverq("result", job_id, "--out", str(out))
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr.strip() == f"error: {out} exists; use --force to overwrite it"
    assert out.read_text() == "keep me"
    assert solverq("result", job_id, "--out", str(out), "--force").exit_code == 0
    with np.load(out) as archive:
        np.testing.assert_array_equal(archive["values"], [2.0, 3.0])
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".tmp")]


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_result_out_never_follows_a_symbolic_link(
    solverq, solverq_env, test_plugins, tmp_path, force
) -> None:
    job_id = solverq("submit", "echo").stdout.strip()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "link.npz"
    link.symlink_to(victim)
    outcome = solverq("result", job_id, "--out", str(link), *force)
    assert outcome.exit_code == 2 and "is a symbolic link" in outcome.stderr
    assert victim.read_text() == "precious" and link.is_symlink()


def test_a_csv_column_of_text_is_labels_and_the_pandas_index_is_dropped(tmp_path) -> None:
    from solverq.cli.inputs import read_data

    path = tmp_path / "frame.csv"
    path.write_text(",size,kind\n0,1.5,cat\n1,2.5,dog\n")
    arrays = read_data([path], 10**6)
    assert list(arrays) == ["size", "kind"]
    np.testing.assert_array_equal(arrays["size"], [1.5, 2.5])
    np.testing.assert_array_equal(arrays["kind"], ["cat", "dog"])
