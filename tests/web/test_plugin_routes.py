"""The plugins API and pages, and the form that submits a job or a sweep."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np

from solverq.plugins.parameters import parameter_schema
from solverq.plugins.registry import discover
from tests.web.conftest import BASE_URL
from tests.web.test_job_routes import UPLOADS

ORIGIN = {"Origin": BASE_URL}


def test_the_plugins_are_listed_with_their_schema(client) -> None:
    listed = {plugin["name"]: plugin for plugin in client.get("/api/plugins").json()}
    assert set(listed) == set(discover()) and {"echo", "sgd"} <= set(listed)
    assert listed["echo"]["summary"] == "Return the given numbers times a scale"
    shown = client.get("/api/plugins/sgd").json()
    assert shown["parameters"] == parameter_schema(discover()["sgd"].plugin_class.Parameters)
    response = client.get("/api/plugins/nope")
    assert response.status_code == 404 and "unknown plugin 'nope'" in response.json()["detail"]
    assert client.get("/plugins/nope").status_code == 404


def test_the_plugin_page_shows_each_parameter_with_help_default_and_bounds(client) -> None:
    page = client.get("/plugins/sgd").text
    for text in ("eta", "number (&gt; 0) | &#34;auto&#34;", "Learning rate", 'value="auto"'):
        assert text in page
    assert '<option value="ridge" >ridge</option>' in page.replace("  ", " ")


def test_the_form_submits_a_job_with_the_changed_parameters(client, solverq_env) -> None:
    form = {"p.values": "[1.0, 2.0, 3.0]", "p.scale": "2", "time_limit": ""}
    response = client.post("/plugins/echo", data=form, headers=ORIGIN, follow_redirects=False)
    assert response.status_code == 303
    [job] = solverq_env.list()
    assert response.headers["location"] == f"/jobs/{job.id}"
    assert job.summary == {"total": 12.0, "count": 3}
    assert job.time_limit is None


def test_the_form_takes_inputs_and_a_time_limit(client, solverq_env) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, values=np.array([5.0]))
    response = client.post(
        "/plugins/echo",
        data={"time_limit": "30"},
        files={"inputs": ("in.npz", buffer.getvalue())},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303
    [job] = solverq_env.list()
    assert job.summary == {"total": 5.0, "count": 1} and job.time_limit == 30


def test_form_uploads_are_sized_from_their_headers(client, solverq_env, monkeypatch) -> None:
    limited = replace(client.app.state.settings, max_input_bytes=1000)
    monkeypatch.setattr(client.app.state, "settings", limited)
    for upload, message in UPLOADS:
        response = client.post(
            "/plugins/convolution",
            files={"inputs": ("in.npz", upload)},
            headers=ORIGIN,
            follow_redirects=False,
        )
        assert response.status_code == 400 and message.replace("'", "&#39;") in response.text
    assert solverq_env.list() == []


def test_a_grid_in_the_form_submits_a_sweep(client, solverq_env) -> None:
    form = {"p.scale": "1.0", "grid": "scale=1,2\r\nvalues=[1],[2,3]\r\n"}
    response = client.post("/plugins/echo", data=form, headers=ORIGIN, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sweeps/")
    jobs = solverq_env.list()
    assert sorted(job.summary["total"] for job in jobs) == [1.0, 2.0, 5.0, 10.0]


def test_a_rejected_form_is_shown_again_with_the_reason(client, solverq_env) -> None:
    for form, message in [
        ({"p.scale": "-1"}, "parameter &#39;scale&#39; of echo must be greater than 0"),
        ({"time_limit": "soon"}, "time limit must be a number of seconds, got &#39;soon&#39;"),
        ({"grid": "scale"}, "expected KEY=V1,V2,... for a grid"),
        ({"p.values": "[]"}, "parameter &#39;values&#39; of echo"),
    ]:
        response = client.post("/plugins/echo", data=form, headers=ORIGIN)
        assert response.status_code == 400
        assert message in response.text
        assert f'value="{form.get("p.scale", "1.0")}"' in response.text
    assert solverq_env.list() == []
