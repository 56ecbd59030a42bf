"""The application: where submitted jobs go, and answers that are never a server error."""

from __future__ import annotations

import json
import uuid

import redis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solverq.web.app import create_app
from solverq.worker.local_pool import LocalPool
from solverq.worker.settings import Settings
from solverq.worker.store import JobStatus, JobStore, open_database
from tests.web.conftest import BASE_URL


def test_with_a_broker_jobs_go_to_the_workers(
    monkeypatch, postgres_url, redis_url, test_plugins
) -> None:
    queue = f"solverq-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", postgres_url)
    monkeypatch.setenv("SOLVERQ_BROKER_URL", redis_url)
    monkeypatch.setenv("SOLVERQ_QUEUE", queue)
    database = open_database(postgres_url, ensure_schema=False)
    database.upgrade()
    app = create_app(Settings.from_environment())
    assert app.state.runner is None
    with TestClient(app, base_url=BASE_URL) as client:
        response = client.post("/api/jobs", json={"plugin": "echo", "params": {"scale": 2}})
    assert response.status_code == 201
    job = JobStore(database).get(response.json()["id"])
    assert job.status is JobStatus.QUEUED and job.queue == queue
    broker = redis.Redis.from_url(redis_url)
    [message] = broker.lrange(queue, 0, -1)
    assert json.loads(message)["headers"]["id"] == job.id
    broker.close()


def test_embedded_jobs_go_to_a_pool_of_local_processes(solverq_env) -> None:
    app = create_app(Settings.from_environment(), processes=3)
    pool = app.state.runner.__self__
    assert isinstance(pool, LocalPool) and pool.processes == 3


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(["plugin", "status", "sweep", "where", "since", "until", "sort", "limit"]),
    value=st.text(max_size=12),
    path=st.sampled_from(["/api/jobs", "/jobs"]),
)
def test_no_query_is_a_server_error(client, name, value, path) -> None:
    response = client.get(path, params={name: value})
    assert response.status_code in (200, 400, 404, 422), (name, value, response.text)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.recursive(
        st.none() | st.booleans() | st.floats() | st.text(max_size=6),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(["plugin", "params", "grid", "scale"]), inner, max_size=3
            )
        ),
        max_leaves=8,
    )
)
def test_no_submission_is_a_server_error(client, body) -> None:
    for path in ("/api/jobs", "/api/sweeps"):
        response = client.post(path, content=json.dumps(body))
        assert response.status_code in (201, 400, 422), (path, body, response.text)
