"""The jobs API and pages, against the job store on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from dataclasses import replace

import numpy as np
import pytest
from matplotlib.image import imread
from numpy.lib import format as npy_format

from solverq.worker.store import JobStatus
from tests.web.conftest import BASE_URL
from tests.worker.test_reaper import backdate


def submit(client, plugin: str = "echo", **params) -> dict:
    response = client.post("/api/jobs", json={"plugin": plugin, "params": params})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_submitted_job_runs_and_is_stored(client, solverq_env) -> None:
    job = submit(client, values=[1, 2, 4], scale=0.5)
    assert job["status"] == "succeeded" and job["params"] == {
        "values": [1.0, 2.0, 4.0],
        "scale": 0.5,
    }
    shown = client.get(f"/api/jobs/{job['id'][:8]}").json()
    assert shown["status"] == "succeeded"
    assert shown["summary"] == {"total": 3.5, "count": 3}
    assert shown == solverq_env.get(job["id"]).to_json()


def test_input_arrays_are_uploaded_as_npz(client, solverq_env) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, values=np.array([2.0, 3.0]))
    response = client.post(
        "/api/jobs",
        data={"request": '{"plugin": "echo", "params": {"scale": 3}}'},
        files={"inputs": ("data.npz", buffer.getvalue())},
    )
    assert response.status_code == 201, response.text
    job_id = response.json()["id"]
    assert solverq_env.get(job_id).summary == {"total": 15.0, "count": 2}
    np.testing.assert_array_equal(solverq_env.inputs(job_id)["values"], [2.0, 3.0])


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"plugin": "echo", "params": {"scale": -1}}, 400, "parameter 'scale' of echo must be"),
        ({"plugin": "echo", "params": {"nope": 1}}, 400, "unknown parameter 'nope' of echo"),
        ({"plugin": "nope"}, 400, "unknown plugin 'nope' (known: "),
        ({"plugin": "echo", "time_limit": -1}, 400, "time limit must be a positive number"),
        ({"params": {}}, 422, "field 'plugin' is required"),
        ({"plugin": "echo", "params": [1]}, 422, "field 'params' must be a valid dictionary"),
        ({"plugin": "echo", "colour": 1}, 422, "field 'colour' extra inputs are not permitted"),
        ({"plugin": "echo", "queue": "q" * 300}, 400, "queue name has 300 characters; at most 200"),
        ({"plugin": "echo", "queue": "a b"}, 400, "malformed queue name 'a b'"),
    ],
)
def test_bad_submissions_name_the_parameter(client, solverq_env, body, status, message) -> None:
    response = client.post("/api/jobs", json=body)
    assert response.status_code == status
    assert message in response.json()["detail"]
    assert solverq_env.list() == []


def test_unreadable_bodies_and_uploads_are_400(client) -> None:
    assert "not valid JSON" in client.post("/api/jobs", content=b"{plugin").json()["detail"]
    response = client.post(
        "/api/jobs",
        data={"request": '{"plugin": "echo"}'},
        files={"inputs": ("data.npz", b"not an archive")},
    )
    assert response.status_code == 400 and "cannot read the uploaded data.npz" in response.text
    pickled = io.BytesIO()
    np.savez(pickled, values=np.array([{"a": 1}], dtype=object))
    response = client.post(
        "/api/jobs",
        data={"request": '{"plugin": "echo"}'},
        files={"inputs": ("data.npz", pickled.getvalue())},
    )
    assert response.status_code == 400 and "never unpickled" in response.json()["detail"]
    response = client.post("/api/jobs", data={"plugin": "echo"}, files={"x": ("a", b"")})
    assert response.status_code == 400 and "field 'request'" in response.json()["detail"]


@pytest.mark.parametrize(
    ("depth", "message"),
    [
        (100, "field 'params' of the request nests lists deeper than 64"),
        (995, "nests lists deeper than 64"),
        (100_000, "nests lists deeper than 64"),
    ],
)
def test_deeply_nested_requests_are_400(client, solverq_env, depth, message) -> None:
    nested = "[" * depth + "1" + "]" * depth
    body = '{"plugin": "echo", "params": {"values": ' + nested + "}}"
    response = client.post("/api/jobs", content=body)
    assert response.status_code == 400 and message in response.json()["detail"]
    assert solverq_env.list() == []


def test_pages_of_jobs_refuse_dates_and_offsets_out_of_range(client) -> None:
    assert client.get("/jobs?until=1000000w").status_code == 400
    assert client.get("/jobs?offset=9223372036854775808").status_code == 422


def test_floats_written_with_an_exponent_stay_floats(client, solverq_env) -> None:
    job = submit(client, "convolution", a=[1e20, 2.5], b=[0.5])
    stored = solverq_env.get(job["id"])
    assert [type(value) for value in stored.params["a"]] == [float, float]
    assert stored.summary["dtype"] == "float64" and stored.summary["output"] == [5e19, 1.25]
    huge = solverq_env.get(submit(client, "convolution", a=[1e308, 1e308], b=[1e308])["id"])
    assert huge.status is JobStatus.FAILED and "convolution overflowed" in huge.error


def npz_claiming(shape: tuple[int, ...]) -> bytes:
    """An .npz archive whose array 'a' states `shape` in its header but holds 8 bytes."""
    header = io.BytesIO()
    npy_format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": shape}
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("a.npy", header.getvalue() + bytes(8))
    return archive.getvalue()


def compressed_zeros(count: int) -> bytes:
    archive = io.BytesIO()
    np.savez_compressed(archive, a=np.zeros(count), b=np.ones(3))
    return archive.getvalue()


UPLOADS = [
    (compressed_zeros(25_000_000), "array 'a' of the uploaded in.npz is 200,000,000 bytes"),
    (npz_claiming((9_999_999_999,)), "array 'a' of the uploaded in.npz is 79,999,999,992 bytes"),
    (b"PK\x03\x04garbage" + bytes(100), "cannot read the uploaded in.npz: not a valid .npy or"),
]


@pytest.mark.parametrize(("upload", "message"), UPLOADS)
def test_uploads_are_sized_from_their_headers_before_loading(
    client, solverq_env, monkeypatch, upload, message
) -> None:
    limited = replace(client.app.state.settings, max_input_bytes=1000)
    monkeypatch.setattr(client.app.state, "settings", limited)
    tracemalloc.start()
    try:
        response = client.post(
            "/api/jobs",
            data={"request": '{"plugin": "convolution"}'},
            files={"inputs": ("in.npz", upload)},
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 400 and message in response.json()["detail"]
    assert peak < 20_000_000
    assert solverq_env.list() == []


def test_unknown_ids_are_404(client) -> None:
    for path in ("/api/jobs/feedbeef", "/api/jobs/feedbeef/arrays", "/api/jobs/feedbeef/plot.png"):
        response = client.get(path)
        assert response.status_code == 404 and response.json() == {"detail": "no job 'feedbeef'"}
    assert client.post("/api/jobs/feedbeef/cancel").status_code == 404
    assert client.get("/jobs/feedbeef").status_code == 404


def test_listing_filters_sorts_and_pages_like_list(client) -> None:
    ids = [submit(client, scale=scale)["id"] for scale in (2.0, 1.0, 3.0, 0.5)]
    failed = submit(client, "explode", kind="fail")["id"]
    newest_first = [job["id"] for job in client.get("/api/jobs").json()["jobs"]]
    assert newest_first == [failed, *reversed(ids)]
    by_total = client.get("/api/jobs", params={"sort": "-total"}).json()["jobs"]
    totals = [job["summary"]["total"] for job in by_total[:4]]
    assert totals == sorted((6 * scale for scale in (2.0, 1.0, 3.0, 0.5)), reverse=True)
    assert by_total[4]["id"] == failed
    pages = [
        client.get("/api/jobs", params={"limit": 2, "offset": offset}).json()
        for offset in (0, 2, 4)
    ]
    assert [job["id"] for page in pages for job in page["jobs"]] == newest_first
    assert [page["next_offset"] for page in pages] == [2, 4, None]
    assert [j["id"] for j in client.get("/api/jobs?status=failed").json()["jobs"]] == [failed]
    assert [j["id"] for j in client.get("/api/jobs?where=scale=3").json()["jobs"]] == [ids[2]]
    assert client.get("/api/jobs?plugin=explode&since=1h").json()["jobs"][0]["id"] == failed
    assert client.get("/api/jobs?until=1h").json()["jobs"] == []


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("status=done", 400, "unknown status 'done'"),
        ("where=scale", 400, "expected KEY=VALUE, got 'scale'"),
        ("since=yesterday", 400, "got 'yesterday'"),
        ("sweep=feedbeef", 404, "no sweep 'feedbeef'"),
        ("limit=0", 422, "query parameter 'limit' must be greater than or equal to 1"),
        ("limit=many", 422, "query parameter 'limit' must be a valid integer"),
        ("offset=-1", 422, "query parameter 'offset'"),
        ("until=1000000w", 400, "until: '1000000w' ago is before the earliest date"),
        ("since=1000000w", 400, "since: '1000000w' ago is before the earliest date"),
        ("since=99999999999999999999d", 400, "since: '99999999999999999999d' ago is before"),
        ("until=9999-12-31T23:59:59-23:59", 400, "until: '9999-12-31T23:59:59-23:59' is beyond"),
        ("offset=9223372036854775808", 422, "query parameter 'offset' must be less than or"),
    ],
)
def test_bad_queries_name_the_parameter(client, query, status, message) -> None:
    response = client.get(f"/api/jobs?{query}")
    assert response.status_code == status and message in response.json()["detail"]


def test_arrays_download_as_npz(client, solverq_env) -> None:
    job = submit(client, values=[1, 2], scale=2)
    response = client.get(f"/api/jobs/{job['id']}/arrays")
    assert response.status_code == 200
    assert f'filename="{job["id"]}.npz"' in response.headers["content-disposition"]
    with np.load(io.BytesIO(response.content), allow_pickle=False) as archive:
        np.testing.assert_array_equal(archive["values"], [2.0, 4.0])
    failed = submit(client, "explode", kind="fail")["id"]
    response = client.get(f"/api/jobs/{failed}/arrays")
    assert response.status_code == 409
    assert response.json()["detail"] == f"job {failed} failed: diverged at x = 0.5"


def test_the_plot_is_the_plugins_figure_as_png(client) -> None:
    job = submit(client, values=[1, 2, 3])
    response = client.get(f"/api/jobs/{job['id']}/plot.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    height, width, _ = imread(io.BytesIO(response.content)).shape
    assert (width, height) == (700, 450)
    failed = submit(client, "explode", kind="fail")["id"]
    response = client.get(f"/api/jobs/{failed}/plot.png")
    assert response.status_code == 409 and "it has no result to plot" in response.json()["detail"]


def test_cancel_a_queued_job_but_not_a_finished_one(client, solverq_env) -> None:
    queued = solverq_env.create("echo", {"values": [1.0], "scale": 1.0})
    response = client.post(f"/api/jobs/{queued.id}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert solverq_env.get(queued.id).status is JobStatus.CANCELLED
    done = submit(client)["id"]
    response = client.post(f"/api/jobs/{done}/cancel")
    assert response.status_code == 409
    assert response.json()["detail"] == f"job {done} already succeeded; nothing to cancel"


def test_compare_puts_jobs_side_by_side(client) -> None:
    first, second = submit(client, scale=2)["id"], submit(client, scale=3)["id"]
    comparison = client.get("/api/compare", params={"job": [first, second[:8]]}).json()
    assert comparison["params"] == {"scale": [2.0, 3.0]}
    assert comparison["summary"] == {"total": [12.0, 18.0], "count": [3, 3]}
    response = client.get("/api/compare", params={"job": [first]})
    assert response.status_code == 400
    assert response.json()["detail"] == "give at least two jobs to compare"
    page = client.get("/compare", params={"job": [first, second]})
    assert page.status_code == 200 and "18" in page.text and "scale" in page.text


def test_the_jobs_page_lists_filters_and_sorts(client) -> None:
    small, large = submit(client, scale=1)["id"], submit(client, scale=5)["id"]
    failed = submit(client, "explode", kind="fail")["id"]
    page = client.get("/jobs")
    assert page.status_code == 200
    assert all(job_id[:12] in page.text for job_id in (small, large, failed))
    assert "diverged at x = 0.5" in page.text
    sorted_page = client.get("/jobs?sort=-total&plugin=echo&status=&where=&limit=25").text
    assert sorted_page.index(large[:12]) < sorted_page.index(small[:12])
    assert failed[:12] not in sorted_page and ">30<" in sorted_page
    paged = client.get("/jobs?limit=1&offset=1").text
    assert large[:12] in paged and 'rel="next"' in paged and 'rel="prev"' in paged
    assert "unknown status" in client.get("/jobs?status=done").text


def test_the_job_page_shows_parameters_summary_plot_and_arrays(client) -> None:
    job = submit(client, values=[1, 2], scale=2)
    page = client.get(f"/jobs/{job['id'][:8]}")
    assert page.status_code == 200
    for text in (job["id"], "scale", "total", "6", "plot.png", "/arrays", "succeeded"):
        assert text in page.text
    failed = submit(client, "explode", kind="fail")["id"]
    page = client.get(f"/jobs/{failed}").text
    assert "diverged at x = 0.5" in page and "plot.png" not in page


def test_a_job_lost_with_its_process_shows_failed_alone_as_in_lists(client, solverq_env) -> None:
    lost = solverq_env.create("sleep", {"seconds": 60.0, "steps": 600})
    solverq_env.start(lost.id, "local-1")
    backdate(solverq_env, lost.id, heartbeat_at=600)
    record = client.get(f"/api/jobs/{lost.id}").json()
    assert record["status"] == "failed"
    assert record["error"].startswith("lost: the process running it stopped")
    assert client.get("/api/jobs", params={"status": "running"}).json()["jobs"] == []
    again = solverq_env.create("sleep", {"seconds": 60.0, "steps": 600})
    solverq_env.start(again.id, "local-1")
    backdate(solverq_env, again.id, heartbeat_at=600)
    page = client.get(f"/jobs/{again.id}").text
    assert "lost: the process running it stopped" in page and "Cancel" not in page


def test_the_job_page_cancels_a_job(client, solverq_env) -> None:
    queued = solverq_env.create("echo", {"values": [1.0], "scale": 1.0})
    assert "Cancel" in client.get(f"/jobs/{queued.id}").text
    origin = {"Origin": BASE_URL}
    response = client.post(f"/jobs/{queued.id}/cancel", headers=origin, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/jobs/{queued.id}"
    assert solverq_env.get(queued.id).status is JobStatus.CANCELLED


def test_openapi_documents_the_api(client) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/api/jobs", "/api/jobs/{job_id}", "/api/sweeps", "/api/plugins/{name}"} <= set(
        schema["paths"]
    )
    assert "multipart/form-data" in schema["paths"]["/api/jobs"]["post"]["requestBody"]["content"]
    assert not any(path.startswith("/jobs") for path in schema["paths"])
    assert client.get("/docs").status_code == 200


def test_the_job_page_shows_warnings_apart(client, solverq_env) -> None:
    job = solverq_env.create("echo", {"values": [1.0], "scale": 1.0})
    started = solverq_env.start(job.id)
    summary = {"total": 1.0, "warnings": ["step size near the stability limit"]}
    assert solverq_env.succeed(job.id, started.attempt, summary, {"values": np.ones(2)})
    page = client.get(f"/jobs/{job.id}").text
    warnings = page[page.index("<h2>Warnings</h2>") : page.index("<h2>Parameters</h2>")]
    assert "step size near the stability limit" in warnings
    assert "step size" not in page[page.index('id="summary"') :]
