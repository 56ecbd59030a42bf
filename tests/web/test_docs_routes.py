"""The API's documentation pages: served with their assets from this server, behind the token."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import TOKEN
from tests.web.test_auth import BEARER, sign_in

PAGES = ("/docs", "/redoc")


def asset_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)


@pytest.mark.parametrize("path", PAGES)
def test_the_docs_load_every_asset_from_this_server(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 200
    urls = asset_urls(response.text)
    assert any(url.endswith(".js") for url in urls)
    for url in urls:
        assert url.startswith("/docs-assets/"), url
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 1000, url
    assert "http://" not in response.text and "https://" not in response.text
    assert "url: '/openapi.json'" in response.text or 'spec-url="/openapi.json"' in response.text


def test_the_swagger_ui_assets_are_javascript_and_css(client) -> None:
    script = client.get("/docs-assets/swagger-ui-bundle.js")
    assert "javascript" in script.headers["content-type"] and b"SwaggerUIBundle" in script.content
    style = client.get("/docs-assets/swagger-ui.css")
    assert style.headers["content-type"].startswith("text/css")


@pytest.mark.parametrize("path", PAGES)
def test_the_docs_ask_for_the_token_like_the_pages(guarded, path) -> None:
    response = guarded.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=%2F{path[1:]}"
    sign_in(guarded, next_page=path)
    assert guarded.get(path).status_code == 200


def test_the_schema_needs_the_bearer_token_or_the_session(guarded) -> None:
    response = guarded.get("/openapi.json")
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert (
        guarded.get("/openapi.json", headers={"Authorization": "Bearer wrong"}).status_code == 401
    )
    assert "/api/jobs" in guarded.get("/openapi.json", headers=BEARER).json()["paths"]
    sign_in(guarded)
    assert guarded.get("/openapi.json").json()["info"]["title"] == "solverq"
    assert TOKEN not in guarded.get("/docs").text


def test_the_schema_lists_no_documentation_routes(client) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    assert not paths & {"/docs", "/redoc", "/openapi.json"}
