"""Jobs as a table (`list_jobs(as_frame=True)`), found by tag, compared with tags and notes."""

from dataclasses import replace

import pandas as pd
import pytest

from solverq.plugins.errors import RejectedRequest
from solverq.worker import service
from solverq.worker.job_search import compare_jobs, find_jobs, job_table


def test_the_table_has_a_column_per_parameter_and_summary_value(solverq_env, test_plugins) -> None:
    first = service.submit("echo", {"scale": 2.0}, tags={"run": "a"}, note="baseline")
    second = service.submit("echo", {"scale": 3.0, "values": [1.0]})
    table = job_table(find_jobs(limit=None))
    fixed = ["id", "plugin", "status", "sweep_id", "created_at", "finished_at", "error", "note"]
    assert table.columns[:8] == fixed
    assert sorted(table.columns[8:]) == ["count", "scale", "tag.run", "total", "values"]
    frame = pd.DataFrame(table.rows, columns=table.columns).set_index("id")
    assert frame.loc[first.id, "total"] == 12.0 and frame.loc[second.id, "total"] == 3.0
    assert frame.loc[first.id, "tag.run"] == "a" and pd.isna(frame.loc[second.id, "tag.run"])
    assert frame.loc[first.id, "note"] == "baseline"
    assert frame.loc[second.id, "values"] == [1.0]


def test_a_summary_value_named_like_a_parameter_gets_its_own_column(
    solverq_env, test_plugins
) -> None:
    job = service.submit("sleep", {"seconds": 0.0, "steps": 1})
    [row] = job_table([job]).rows
    assert (row["seconds"], row["slept"], row["status"]) == (0.0, 0.0, "succeeded")
    sleepy = replace(job, summary={"seconds": 9.0, "status": "odd"})
    [row] = job_table([sleepy]).rows
    assert (row["seconds"], row["summary.seconds"]) == (0.0, 9.0)
    assert (row["status"], row["summary.status"]) == ("succeeded", "odd")


def test_jobs_are_found_by_tag_and_compared_with_tags_and_notes(solverq_env, test_plugins) -> None:
    tagged = service.submit("echo", {"scale": 2.0}, tags={"run": "a"}, note="first")
    other = service.submit("echo", {"scale": 3.0}, tags={"run": "b"})
    assert [job.id for job in find_jobs(tags={"run": "a"})] == [tagged.id]
    comparison = compare_jobs([tagged.id, other.id])
    assert comparison.tags == {"run": ["a", "b"]}
    assert comparison.to_json()["jobs"][0]["note"] == "first"
    assert comparison.params == {"scale": [2.0, 3.0]}


@pytest.mark.parametrize(
    "filters",
    [{"plugin": "ec\x00ho"}, {"where": {"scale": "\x00"}}, {"tags": {"run\x00": "a"}}],
    ids=["plugin", "where", "tags"],
)
def test_a_filter_holding_a_nul_character_is_refused(solverq_env, filters) -> None:
    with pytest.raises(RejectedRequest, match="holds a NUL character"):
        find_jobs(**filters)
