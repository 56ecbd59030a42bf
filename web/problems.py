"""Errors as HTTP answers: one line saying what was wrong, as JSON for the API and as a page
for the dashboard; never a traceback for bad input.

- 400: the request was rejected (`RejectedRequest`: a bad parameter, an unknown plugin)
- 401/403: no token, or a cross-site post (`solverq.web.auth`)
- 404: no job, sweep or plugin by that name
- 409: the job or sweep is not in a state that allows it (no result yet, already finished)
- 422: a query or body field of the wrong form, named
- 503: the database or the broker cannot be reached
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError

from solverq.plugins.errors import RejectedRequest, SolverqError
from solverq.web.auth import NotSignedIn
from solverq.web.docs_routes import OPENAPI_URL
from solverq.web.rendering import page
from solverq.worker.store import UnknownJob, UnknownSweep
from solverq.worker.store.database import first_line

LOCATIONS = {"query": "query parameter", "path": "path parameter", "body": "field"}


def install(app: FastAPI) -> None:
    """Answer the library's errors, validation errors and HTTP errors as described above."""

    @app.exception_handler(UnknownJob)
    @app.exception_handler(UnknownSweep)
    async def unknown(request: Request, error: Exception) -> Response:
        return answer(request, 404, str(error))

    @app.exception_handler(RejectedRequest)
    async def rejected(request: Request, error: Exception) -> Response:
        return answer(request, 400, str(error))

    @app.exception_handler(SolverqError)
    async def conflict(request: Request, error: Exception) -> Response:
        return answer(request, 409, str(error))

    @app.exception_handler(OperationalError)
    async def unavailable(request: Request, error: Exception) -> Response:
        return answer(request, 503, f"cannot use the database: {first_line(error)}")

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return answer(request, 422, describe(error.errors()), errors=jsonable_errors(error))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        return answer(
            request, error.status_code, str(error.detail), headers=dict(error.headers or {})
        )

    @app.exception_handler(NotSignedIn)
    async def sign_in(request: Request, error: Exception) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def answer(
    request: Request,
    status: int,
    message: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error as `{"detail": message}` for the API (and its schema), as the error page
    elsewhere."""
    if request.url.path.startswith("/api/") or request.url.path == OPENAPI_URL:
        body: dict[str, Any] = {"detail": message}
        if errors is not None:
            body["errors"] = errors
        return JSONResponse(body, status_code=status, headers=headers)
    context = {"status": status, "message": message}
    return page(request, "error.html", context, status_code=status)


def describe(errors: Any) -> str:
    """The first validation error as one line naming its parameter: `query parameter 'limit'
    must be greater than or equal to 1, got '0'`."""
    first = errors[0]
    where, *path = first["loc"] or ("body",)
    name = ".".join(str(part) for part in path)
    message = first["msg"].replace("Input should be", "must be")
    if first["type"] == "missing":
        message = "is required"
    noun = LOCATIONS.get(str(where), str(where))
    got = f", got {first['input']!r}" if "input" in first and first["type"] != "missing" else ""
    if not name:
        return f"the request body {message[:1].lower()}{message[1:]}"
    return f"{noun} '{name}' {message[:1].lower()}{message[1:]}{got}"


def jsonable_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]}
        for item in error.errors()
    ]
