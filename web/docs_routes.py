"""The API's documentation: the OpenAPI schema, Swagger UI at `/docs` and ReDoc at `/redoc`,
their scripts and styles served by this server (from the `fastapi-offline` package), so that
the pages work on a machine without internet. The pages ask for the token as the dashboard's
do; the schema is an API answer, read with the bearer token or the session."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from solverq.web.auth import require_api_access, require_page_access

OPENAPI_URL = "/openapi.json"
ASSETS_URL = "/docs-assets"
ASSETS = Path(str(files("fastapi_offline") / "static"))
"""Swagger UI's and ReDoc's bundles as `fastapi-offline` ships them."""

schema = APIRouter(include_in_schema=False, dependencies=[Depends(require_api_access)])
pages = APIRouter(include_in_schema=False, dependencies=[Depends(require_page_access)])


def install(app: FastAPI) -> None:
    """Serve the schema, the two documentation pages and their assets. The application must be
    created with `openapi_url=None, docs_url=None, redoc_url=None` (FastAPI's own routes are
    unguarded and load their assets from a CDN)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    app.include_router(schema)
    app.include_router(pages)


@schema.get(OPENAPI_URL)
def openapi_schema(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@pages.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title=f"{request.app.title} API",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
    )


@pages.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return get_redoc_html(
        openapi_url=OPENAPI_URL,
        title=f"{request.app.title} API",
        redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
        with_google_fonts=False,
    )
