"""The token: bearer for the API, a session cookie for the pages; cross-site posts refused."""

from __future__ import annotations

import pytest

from solverq.plugins.errors import RejectedRequest
from solverq.web.auth import SESSION_COOKIE, check_exposure, is_loopback_host, session_value
from tests.web.conftest import BASE_URL, TOKEN

BEARER = {"Authorization": f"Bearer {TOKEN}"}
ORIGIN = {"Origin": BASE_URL}


def sign_in(client, token: str = TOKEN, next_page: str = "/jobs"):
    return client.post(
        "/login",
        data={"token": token, "next": next_page},
        headers=ORIGIN,
        follow_redirects=False,
    )


def test_the_api_needs_the_bearer_token(guarded, solverq_env) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = guarded.get("/api/jobs", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert "Authorization: Bearer TOKEN" in response.json()["detail"]
    response = guarded.post("/api/jobs", json={"plugin": "echo"})
    assert response.status_code == 401 and solverq_env.list() == []
    assert guarded.get("/api/jobs", headers=BEARER).status_code == 200
    response = guarded.post("/api/jobs", json={"plugin": "echo"}, headers=BEARER)
    assert response.status_code == 201


def test_pages_ask_for_the_token_once(guarded) -> None:
    response = guarded.get("/jobs?status=failed", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fjobs%3Fstatus%3Dfailed"
    assert "Sign in" in guarded.get(response.headers["location"]).text
    wrong = sign_in(guarded, "wrong")
    assert wrong.status_code == 401 and "not the server" in wrong.text
    assert SESSION_COOKIE not in wrong.cookies
    signed = sign_in(guarded, next_page="/jobs?status=failed")
    assert signed.status_code == 303 and signed.headers["location"] == "/jobs?status=failed"
    cookie = signed.headers["set-cookie"]
    assert f"{SESSION_COOKIE}={session_value(TOKEN)}" in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and TOKEN not in cookie
    assert guarded.get("/jobs").status_code == 200
    assert guarded.get("/api/jobs").status_code == 200


def test_sign_in_never_sends_elsewhere(guarded) -> None:
    for target in ("//evil.example/x", "https://evil.example/", ""):
        assert sign_in(guarded, next_page=target).headers["location"] == "/jobs"


def test_the_session_posts_only_from_the_dashboard(guarded, solverq_env) -> None:
    sign_in(guarded)
    job = solverq_env.create("echo", {"values": [1.0], "scale": 1.0})
    for headers in ({}, {"Origin": "http://evil.example"}, {"Referer": "http://evil.example/"}):
        response = guarded.post(f"/api/jobs/{job.id}/cancel", headers=headers)
        assert response.status_code == 403
        response = guarded.post(f"/jobs/{job.id}/cancel", headers=headers)
        assert response.status_code == 403
    assert solverq_env.get(job.id).status.value == "queued"
    referer = {"Referer": f"{BASE_URL}/jobs/{job.id}"}
    response = guarded.post(f"/jobs/{job.id}/cancel", headers=referer, follow_redirects=False)
    assert response.status_code == 303 and solverq_env.get(job.id).status.value == "cancelled"


def test_without_a_token_cross_site_posts_are_still_refused(client, solverq_env) -> None:
    job = solverq_env.create("echo", {"values": [1.0], "scale": 1.0})
    evil = {"Origin": "http://evil.example"}
    assert client.post(f"/api/jobs/{job.id}/cancel", headers=evil).status_code == 403
    assert client.post("/plugins/echo", data={}, headers=evil).status_code == 403
    assert client.post("/plugins/echo", data={}).status_code == 403
    assert solverq_env.get(job.id).status.value == "queued" and len(solverq_env.list()) == 1
    assert client.post(f"/api/jobs/{job.id}/cancel").status_code == 200
    assert client.get("/login", follow_redirects=False).headers["location"] == "/jobs"


def test_sign_out_forgets_the_session(guarded) -> None:
    sign_in(guarded)
    response = guarded.post("/logout", headers=ORIGIN, follow_redirects=False)
    assert response.status_code == 303
    assert guarded.get("/jobs", follow_redirects=False).status_code == 303


REBOUND = "evil.example:8000"
"""A name of another site that its owner made resolve to 127.0.0.1 (DNS rebinding)."""


def test_without_a_token_only_loopback_hosts_are_served(client, solverq_env) -> None:
    rebound = {"Host": REBOUND, "Origin": f"http://{REBOUND}"}
    response = client.post("/api/jobs", json={"plugin": "echo"}, headers=rebound)
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "this server answers only to 127.0.0.1, localhost or [::1] without SOLVERQ_API_TOKEN, "
        f"not to the host '{REBOUND}'"
    )
    for path in ("/api/jobs", "/jobs", "/docs", "/openapi.json", "/static/live.js"):
        assert client.get(path, headers={"Host": REBOUND}).status_code == 400
    assert solverq_env.list() == []
    for host in ("127.0.0.1", "127.0.0.1:8000", "localhost", "localhost:8000", "[::1]:8000"):
        origin = {"Host": host, "Origin": f"http://{host}"}
        assert client.post("/api/jobs", json={"plugin": "echo"}, headers=origin).status_code == 201
    assert len(solverq_env.list()) == 5


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost:80", "[::1]", "[::1]:8000", "LOCALHOST", "127.0.0.5:1"]
)
def test_loopback_host_headers(host) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "host", ["", "evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "::1", "[::1", "a@b"]
)
def test_other_host_headers(host) -> None:
    assert not is_loopback_host(host)


def test_with_a_token_any_host_is_served(guarded) -> None:
    assert guarded.get("/api/jobs", headers={**BEARER, "Host": REBOUND}).status_code == 200
    assert guarded.get("/api/jobs", headers={"Host": REBOUND}).status_code == 401


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.5", "localhost", "::1", "[::1]"])
def test_loopback_needs_no_token(host) -> None:
    check_exposure(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1", "example.org"])
def test_other_addresses_need_a_token(host) -> None:
    with pytest.raises(RejectedRequest, match=f"refusing to serve on {host} without SOLVERQ_API"):
        check_exposure(host, None)
    check_exposure(host, TOKEN)
