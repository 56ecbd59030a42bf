"""The sweeps API and page."""

from __future__ import annotations

import csv
import io

import pytest
from matplotlib.image import imread

from solverq.worker.sweep_service import sweep_table


def submit_sweep(client, **body) -> dict:
    response = client.post("/api/sweeps", json={"plugin": "echo", **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_sweep_runs_one_job_per_point(client, solverq_env) -> None:
    sweep = submit_sweep(client, grid={"scale": "1,2,3", "values": [[1], [1, 2]]})
    assert sweep["size"] == 6
    shown = client.get(f"/api/sweeps/{sweep['id'][:8]}").json()
    assert shown["counts"]["succeeded"] == 6 and shown["done"] == 6 and shown["finished"]
    table = client.get(f"/api/sweeps/{sweep['id']}/table").json()
    reference = sweep_table(sweep["id"])
    assert table["columns"] == reference.columns and table["rows"] == reference.rows
    assert [row["total"] for row in table["rows"]] == [1.0, 3.0, 2.0, 6.0, 3.0, 9.0]
    only_total = client.get(f"/api/sweeps/{sweep['id']}/table", params={"metric": "total"})
    assert only_total.json()["columns"] == ["job", "status", "scale", "values", "total", "error"]


def test_the_table_as_csv(client) -> None:
    sweep = submit_sweep(client, grid={"scale": [1, 2]}, params={"values": [1, 2]})
    response = client.get(f"/api/sweeps/{sweep['id']}/table.csv?metric=total")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(row["scale"], row["total"]) for row in rows] == [("1", "3.0"), ("2", "6.0")]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"grid": {"scale": "1,-1"}}, 400, "point scale=-1: parameter 'scale' of echo must be"),
        ({"grid": {"scale": "logspace(1,2)"}}, 400, "scale"),
        ({"grid": {}}, 400, "grid"),
        ({"params": {}}, 422, "field 'grid' is required"),
    ],
)
def test_bad_sweeps_name_the_point_or_parameter(client, solverq_env, body, status, message):
    response = client.post("/api/sweeps", json={"plugin": "echo", **body})
    assert response.status_code == status and message in response.json()["detail"]
    assert solverq_env.list() == []


def test_the_plot_is_plot_sweeps_figure(client) -> None:
    sweep = submit_sweep(client, grid={"scale": [1, 2], "values": [[1], [1, 2], [3]]})
    lines = client.get(f"/api/sweeps/{sweep['id']}/plot.png?metric=total")
    heat = client.get(f"/api/sweeps/{sweep['id']}/plot.png?metric=total&x=scale&y=values")
    for response in (lines, heat):
        assert response.status_code == 200
        assert imread(io.BytesIO(response.content)).shape[:2] == (450, 700)
    assert lines.content != heat.content
    for query, message in [
        ("metric=nope", "no job of sweep"),
        ("metric=total&x=eta", "'eta' is not swept"),
        ("metric=total&x=scale&y=scale", "a heat map needs two swept keys"),
    ]:
        response = client.get(f"/api/sweeps/{sweep['id']}/plot.png?{query}")
        assert response.status_code == 400 and message in response.json()["detail"]
    response = client.get(f"/api/sweeps/{sweep['id']}/plot.png")
    assert response.status_code == 422 and "'metric' is required" in response.json()["detail"]


def test_unknown_sweeps_are_404(client) -> None:
    for path in ("/api/sweeps/feedbeef", "/api/sweeps/feedbeef/table", "/sweeps/feedbeef"):
        assert client.get(path).status_code == 404
    response = client.get("/api/sweeps/feedbeef/plot.png?metric=total")
    assert response.json() == {"detail": "no sweep 'feedbeef'"}


def test_the_sweep_page_shows_progress_table_and_a_heat_map(client) -> None:
    sweep = submit_sweep(client, grid={"scale": [1, 2], "values": [[1], [1, 2]]})
    page = client.get(f"/sweeps/{sweep['id']}")
    assert page.status_code == 200
    assert "4/4" in page.text and "total" in page.text
    assert "plot.png?metric=count&x=scale&y=values" in page.text
    lines = client.get(f"/sweeps/{sweep['id']}?metric=total&x=values&y=").text
    assert 'plot.png?metric=total&x=values"' in lines
