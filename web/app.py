"""The ASGI application of `solverq serve`: the API under /api, the pages, the sign-in.

With a broker configured, submitted jobs go to the workers; without one (embedded mode) the
server runs them itself in a small pool of local processes (`solverq.worker.local_pool`).
"""

from __future__ import annotations

import hmac
import importlib.metadata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from solverq.web import docs_routes, job_routes, plugin_routes, problems, sweep_routes
from solverq.web.auth import (
    SESSION_COOKIE,
    LoopbackHostsOnly,
    has_session,
    require_same_origin,
    safe_next,
    session_value,
    token_of,
)
from solverq.web.rendering import HERE, page
from solverq.worker.local_pool import LocalPool
from solverq.worker.service import JobRunner
from solverq.worker.settings import Settings
from solverq.worker.store.factory import job_store

DEFAULT_PROCESSES = 2


def create_app(
    settings: Settings | None = None,
    *,
    processes: int = DEFAULT_PROCESSES,
    runner: JobRunner | None = None,
) -> FastAPI:
    """The application over the job store the settings name (checked now, so that a missing
    schema is reported before the server starts). Embedded jobs run in `processes` local
    processes, or are handed to `runner` when it is given."""
    settings = settings or Settings.from_environment()
    job_store(settings)
    pool = LocalPool(settings, processes) if runner is None and settings.embedded else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if pool is not None:
            pool.start()
        yield
        if pool is not None:
            pool.close()

    app = FastAPI(
        title="solverq",
        version=importlib.metadata.version("solverq"),
        summary="Submit, follow and compare numerical experiments run by solver plugins.",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.runner = pool.run if pool is not None else runner
    for module in (job_routes, sweep_routes, plugin_routes):
        app.include_router(module.api)
        app.include_router(module.pages)
    docs_routes.install(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_api_route("/login", login_page, methods=["GET"], include_in_schema=False)
    app.add_api_route("/login", sign_in, methods=["POST"], include_in_schema=False)
    app.add_api_route("/logout", sign_out, methods=["POST"], include_in_schema=False)
    problems.install(app)
    if settings.api_token is None:
        app.add_middleware(LoopbackHostsOnly)
    return app


def login_page(
    request: Request, next_page: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    """Ask for the token, unless none is needed or the session holds it."""
    token = token_of(request)
    if token is None or has_session(request, token):
        return RedirectResponse(safe_next(next_page), status_code=303)
    return page(request, "login.html", {"next": safe_next(next_page), "error": None})


def sign_in(
    request: Request,
    token: Annotated[str, Form()] = "",
    next_page: Annotated[str, Form(alias="next")] = "",
) -> Response:
    """Check the token and keep a session cookie that proves it was given."""
    require_same_origin(request)
    expected = token_of(request)
    if expected is None:
        return RedirectResponse(safe_next(next_page), status_code=303)
    if not hmac.compare_digest(session_value(token.strip()), session_value(expected)):
        context = {"next": safe_next(next_page), "error": "that is not the server's token"}
        return page(request, "login.html", context, status_code=401)
    response = RedirectResponse(safe_next(next_page), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_value(expected),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def sign_out(request: Request) -> Response:
    require_same_origin(request)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
    return response
