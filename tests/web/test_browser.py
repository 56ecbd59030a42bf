"""The dashboard in a real headless Chromium, against `solverq serve` in a process of its own:
sign in, find the jobs the command line submitted, submit a job and a sweep through a plugin's
form and watch them finish, with their figures drawn; the API documentation drawn from this
server alone."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from solverq.worker import service
from solverq.worker.settings import Settings
from solverq.worker.store import JobStore, open_database
from tests.conftest import require_service
from tests.web.conftest import TOKEN

STARTUP_TIMEOUT = 60.0
JOB_TIMEOUT = 60_000
"""Milliseconds a job run by the server's pool may take to show as finished."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server_store(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, test_plugins: Path) -> JobStore:
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("SOLVERQ_BROKER_URL", raising=False)
    monkeypatch.setenv("SOLVERQ_API_TOKEN", TOKEN)
    database = open_database(sqlite_url, ensure_schema=False)
    database.upgrade()
    return JobStore(database)


@pytest.fixture
def server(server_store: JobStore, tmp_path: Path) -> Iterator[str]:
    """`solverq serve` on a free loopback port; its base URL once it answers."""
    with serving(tmp_path) as base:
        yield base


@contextmanager
def serving(tmp_path: Path) -> Iterator[str]:
    """`solverq serve` on a free loopback port, in the environment; its base URL once it
    answers. Its output goes to `tmp_path`/serve.log."""
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    command = "from solverq.cli.main import main; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", command, "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not answers(base):
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def answers(base: str) -> bool:
    request = urllib.request.Request(
        f"{base}/api/plugins", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def browser() -> Iterator:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        require_service("Chromium", "no chromium on the path (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


def natural_width(page, selector: str) -> int:
    image = page.locator(selector)
    image.scroll_into_view_if_needed()
    page.wait_for_function(f"document.querySelector('{selector}').complete", timeout=JOB_TIMEOUT)
    return image.evaluate("image => image.naturalWidth")


def test_the_dashboard_in_a_browser(server, server_store, browser) -> None:
    from_the_cli = service.submit("echo", {"scale": 4}, settings=Settings.from_environment())
    page = browser.new_page()

    page.goto(f"{server}/jobs")
    assert "/login" in page.url
    page.fill("input[name=token]", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/jobs")
    assert from_the_cli.id[:12] in page.inner_text("table.jobs")

    requested: list[str] = []

    def record(request) -> None:
        requested.append(request.url)

    page.on("request", record)
    page.goto(f"{server}/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=JOB_TIMEOUT)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/jobs" in [path.replace("\u200b", "") for path in paths]
    assert all(url.startswith(server) for url in requested), requested
    assert f"{server}/docs-assets/swagger-ui-bundle.js" in requested
    page.remove_listener("request", record)

    page.goto(f"{server}/plugins/convolution")
    page.fill("input[name='p.a']", "[1, 2, 3]")
    page.fill("input[name='p.b']", "[0, 1, 0.5]")
    page.click("#submit")
    page.wait_for_url(f"{server}/jobs/*")
    job_id = page.url.rsplit("/", 1)[1]
    page.wait_for_selector("#status.succeeded", timeout=JOB_TIMEOUT)
    expected = np.convolve([1, 2, 3], [0, 1, 0.5])
    np.testing.assert_allclose(server_store.get(job_id).summary["output"], expected)
    assert natural_width(page, "#plot") > 0
    assert page.get_attribute("a[download]", "href") == f"/api/jobs/{job_id}/arrays"

    page.goto(f"{server}/plugins/echo")
    page.fill("textarea[name=grid]", "scale=1,2\nvalues=[1],[1,2]")
    page.click("#submit")
    page.wait_for_url(f"{server}/sweeps/*")
    page.wait_for_function(
        "document.querySelector('#done').textContent === '4/4'", timeout=JOB_TIMEOUT
    )
    page.wait_for_selector("#plot", timeout=JOB_TIMEOUT)
    assert natural_width(page, "#plot") > 0
    column = page.locator("#table thead th").all_inner_texts().index("total") + 1
    totals = page.locator(f"#table tbody tr td:nth-child({column})").all_inner_texts()
    assert [float(total) for total in totals] == [1.0, 3.0, 2.0, 6.0]

    slow = api_submit(server, "sleep", {"seconds": 2, "steps": 10})
    page.goto(f"{server}/jobs")
    row = page.locator(f"tr[data-id='{slow}'] [data-field=status]")
    assert row.inner_text() in ("queued", "running")
    page.wait_for_selector(f"tr[data-id='{slow}'] .status.succeeded", timeout=JOB_TIMEOUT)
    assert page.locator("tr[data-id]").count() == 7


def api_submit(server: str, plugin: str, params: dict) -> str:
    request = urllib.request.Request(
        f"{server}/api/jobs",
        data=json.dumps({"plugin": plugin, "params": params}).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["id"]
