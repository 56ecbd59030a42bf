"""The token: bearer for the API, a session cookie for the pages; cross-site posts refused."""

from __future__ import annotations

import pytest

from solverq.plugins.errors import RejectedRequest
from solverq.web.auth import SESSION_COOKIE, check_exposure, session_value
from tests.web.conftest import TOKEN

BEARER = {"Authorization": f"Bearer {TOKEN}"}
ORIGIN = {"Origin": "http://testserver"}


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
    referer = {"Referer": f"http://testserver/jobs/{job.id}"}
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


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.5", "localhost", "::1", "[::1]"])
def test_loopback_needs_no_token(host) -> None:
    check_exposure(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1", "example.org"])
def test_other_addresses_need_a_token(host) -> None:
    with pytest.raises(RejectedRequest, match=f"refusing to serve on {host} without SOLVERQ_API"):
        check_exposure(host, None)
    check_exposure(host, TOKEN)
