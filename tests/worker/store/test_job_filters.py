"""Finding jobs by parameter values, time and summary metrics, on SQLite and PostgreSQL."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from solverq.plugins.errors import RejectedRequest
from solverq.worker.store import JobStatus, JobStore
from solverq.worker.store.job_filters import parse_moment, parse_where
from solverq.worker.store.models import JOBS


def finished(store: JobStore, plugin: str, params: dict, summary: dict | None = None) -> str:
    job = store.create(plugin, params)
    attempt = store.claim(job.id)
    if summary is None:
        store.fail(job.id, attempt, "diverged")
    else:
        store.succeed(job.id, attempt, summary, {})
    return job.id


def ids(jobs) -> set[str]:
    return {job.id for job in jobs}


@pytest.fixture
def jobs(store: JobStore) -> dict[str, str]:
    return {
        "small": finished(
            store, "sgd", {"eta": 0.1, "batch_size": 10, "optimizer": "adam"}, {"mse": 0.5}
        ),
        "large": finished(
            store, "sgd", {"eta": 1, "batch_size": 20, "optimizer": "sgd"}, {"mse": 2e-3}
        ),
        "linspace": finished(
            store, "sgd", {"eta": 0.30000000000000004, "optimizer": 1}, {"mse": 3}
        ),
        "failed": finished(store, "sgd", {"eta": 0.1, "batch_size": 20}),
        "decay": finished(
            store,
            "euler",
            {"y0": [1.0, 0.0], "constants": {"gamma": 2.0}, "exact": None, "stiff": True},
            {"mse": "n/a", "max_abs_error": 1e-3},
        ),
    }


WHERE_CASES = [
    ({"eta": 0.1}, {"small", "failed"}),
    ({"eta": 1}, {"large"}),
    ({"eta": 1.0}, {"large"}),
    ({"eta": 0.3}, {"linspace"}),
    ({"eta": 0.1, "batch_size": 20}, {"failed"}),
    ({"optimizer": "adam"}, {"small"}),
    ({"optimizer": 1}, {"linspace"}),
    ({"optimizer": "1"}, set()),
    ({"constants.gamma": 2}, {"decay"}),
    ({"constants.gamma": 3}, set()),
    ({"y0": [1, 0]}, {"decay"}),
    ({"y0": [1, 0, 0]}, set()),
    ({"y0": [0, 1]}, set()),
    ({"y0": 1}, set()),
    ({"eta": [0.1]}, set()),
    ({"exact": None}, {"decay"}),
    ({"stiff": True}, {"decay"}),
    ({"stiff": 1}, set()),
    ({"stiff": False}, set()),
    ({"missing": 1}, set()),
]


def test_where_compares_json_values(store, jobs) -> None:
    for where, expected in WHERE_CASES:
        assert ids(store.list(where=where)) == {jobs[name] for name in expected}, where


def test_sort_by_a_metric_puts_jobs_without_it_last(store, jobs) -> None:
    ascending = [job.id for job in store.list(sort="mse")]
    assert ascending[:3] == [jobs["large"], jobs["small"], jobs["linspace"]]
    assert set(ascending[3:]) == {jobs["failed"], jobs["decay"]}
    descending = [job.id for job in store.list(sort="-mse")]
    assert descending[:3] == [jobs["linspace"], jobs["small"], jobs["large"]]
    assert [job.id for job in store.list(sort="-mse", limit=1)] == [jobs["linspace"]]


def test_filters_combine(store, jobs) -> None:
    assert ids(store.list(plugin="euler")) == {jobs["decay"]}
    assert ids(store.list(status=JobStatus.FAILED, where={"eta": 0.1})) == {jobs["failed"]}


def test_time_range(store, jobs) -> None:
    now = datetime.now(UTC)
    with store.database.transaction() as connection:
        connection.execute(
            update(JOBS)
            .where(JOBS.c.id == jobs["small"])
            .values(created_at=now - timedelta(days=3))
        )
    recent = ids(store.list(since=now - timedelta(hours=1), limit=None))
    assert recent == set(jobs.values()) - {jobs["small"]}
    assert ids(store.list(until=now - timedelta(days=1))) == {jobs["small"]}
    window = store.list(since=now - timedelta(days=4), until=now - timedelta(days=2))
    assert ids(window) == {jobs["small"]}


def test_malformed_keys_are_rejected(store) -> None:
    with pytest.raises(RejectedRequest, match=re.escape("malformed key 'eta)'")):
        store.list(where={"eta)": 1})
    with pytest.raises(RejectedRequest, match=re.escape("malformed key 'a..b'")):
        store.list(sort="a..b")
    with pytest.raises(
        RejectedRequest, match=re.escape("with dotted keys, e.g. constants.gamma=1")
    ):
        store.list(where={"constants": {"gamma": 2}})
    with pytest.raises(RejectedRequest, match="at most 100 entries, got 101"):
        store.list(where={"y0": list(range(101))})


def test_where_options_are_parsed_as_json() -> None:
    assert parse_where(["eta=0.1", "y0=[1,0]", "optimizer=adam", "constants.gamma=2"]) == {
        "eta": 0.1,
        "y0": [1, 0],
        "optimizer": "adam",
        "constants.gamma": 2,
    }
    with pytest.raises(RejectedRequest, match="expected KEY=VALUE, got 'eta'"):
        parse_where(["eta"])


@pytest.mark.parametrize(
    ("text", "ago"),
    [
        ("30s", timedelta(seconds=30)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("3d", timedelta(days=3)),
        ("1.5w", timedelta(weeks=1.5)),
    ],
)
def test_relative_moments(text, ago) -> None:
    now = datetime(2024, 5, 10, 12, tzinfo=UTC)
    assert parse_moment(text, now) == now - ago


def test_iso_moments_are_local_unless_zoned() -> None:
    assert parse_moment("2024-05-01T14:30+02:00") == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    local = parse_moment("2024-05-01")
    assert local.tzinfo is not None
    assert local.replace(tzinfo=None) == datetime(2024, 5, 1)


def test_malformed_moments_are_rejected() -> None:
    with pytest.raises(RejectedRequest, match=r"expected a date, a time .* got 'yesterday'"):
        parse_moment("yesterday")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1000000w", "'1000000w' ago is before the earliest date (year 1)"),
        ("99999999999999999999d", "'99999999999999999999d' ago is before the earliest date"),
        ("9999-12-31T23:59:59-23:59", "'9999-12-31T23:59:59-23:59' is beyond the dates"),
    ],
)
def test_moments_beyond_the_calendar_are_rejected(text, message) -> None:
    with pytest.raises(RejectedRequest, match=re.escape(message)):
        parse_moment(text)


def test_offsets_and_limits_beyond_a_64_bit_integer_are_rejected(store) -> None:
    store.create("echo", {})
    assert store.list(offset=2**63 - 1, limit=2**63 - 1) == []
    for name in ("offset", "limit"):
        message = f"{name} must be between 0 and {2**63 - 1}, got {2**63}"
        with pytest.raises(RejectedRequest, match=f"^{message}$"):
            store.list(**{name: 2**63})
