"""Who may use the server: the bearer token, the dashboard's session cookie, same-origin posts.

With ``SOLVERQ_API_TOKEN`` set, an API request carries ``Authorization: Bearer TOKEN`` (else 401)
and the pages ask for the token once, then keep a session cookie (HttpOnly, SameSite=Strict)
that holds an HMAC of the token, never the token itself. Whether or not a token is set, a
request that changes something (POST) and names another origin (its ``Origin``, else its
``Referer``) is refused (403), and one authenticated by the cookie must name this origin: a page
of another site can neither read nor post to the dashboard (OWASP's CSRF prevention cheat sheet,
"verifying origin with standard headers").

Without a token the server answers only requests addressed to a loopback name (127.0.0.1,
localhost, [::1], with or without the port; 400 otherwise): a page of another site whose name
was made to resolve to 127.0.0.1 (DNS rebinding) names its own host, and would otherwise pass
for this server's origin.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from solverq.plugins.errors import RejectedRequest

SESSION_COOKIE = "solverq_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotSignedIn(Exception):
    """A page was asked for without a session: the dashboard asks for the token first."""


def check_exposure(host: str, token: str | None) -> None:
    """Refuse to serve on an address other machines can reach without a token, and with a
    token no request can carry."""
    if token is not None and not token.strip():
        raise RejectedRequest(
            "SOLVERQ_API_TOKEN is blank: no request could carry it; set a token, or unset it "
            "to serve on 127.0.0.1"
        )
    if token is not None and token != token.strip():
        raise RejectedRequest(
            "SOLVERQ_API_TOKEN starts or ends with white space, which no request can carry"
        )
    if token is None and not is_loopback(host):
        raise RejectedRequest(
            f"refusing to serve on {host} without SOLVERQ_API_TOKEN: anyone who can reach it "
            "could run jobs; set the token, or serve on 127.0.0.1"
        )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class LoopbackHostsOnly:
    """ASGI middleware for a server without a token: a request whose ``Host`` is not a loopback
    name is refused (400) before it reaches a route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = Headers(scope=scope).get("host", "")
            if not is_loopback_host(host):
                detail = (
                    f"this server answers only to 127.0.0.1, localhost or [::1] without "
                    f"SOLVERQ_API_TOKEN, not to the host {host[:100]!r}"
                )
                await JSONResponse({"detail": detail}, status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def is_loopback_host(host: str) -> bool:
    """Whether a ``Host`` header names a loopback address ('localhost:8000', '[::1]')."""
    try:
        name = urlsplit(f"//{host}").hostname
    except ValueError:
        return False
    return name is not None and not name.startswith("[") and is_loopback(name)


def session_value(token: str) -> str:
    """The session cookie's value: an HMAC of the token, which a new token invalidates."""
    return hmac.new(token.encode(), b"solverq dashboard session", hashlib.sha256).hexdigest()


def token_of(request: Request) -> str | None:
    return request.app.state.settings.api_token


def require_api_access(request: Request) -> None:
    """Let an API request through with the bearer token, or with the dashboard's session."""
    refuse_other_origins(request)
    token = token_of(request)
    if token is None:
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token):
        return
    if has_session(request, token):
        if request.method not in SAFE_METHODS:
            require_same_origin(request)
        return
    raise HTTPException(
        401,
        "this API needs the header 'Authorization: Bearer TOKEN' with SOLVERQ_API_TOKEN",
        headers={"WWW-Authenticate": "Bearer"},
    )


def require_page_access(request: Request) -> None:
    """Let a page request through with the session; posts must come from the dashboard."""
    if request.method not in SAFE_METHODS:
        require_same_origin(request)
    token = token_of(request)
    if token is not None and not has_session(request, token):
        raise NotSignedIn()


def has_session(request: Request, token: str) -> bool:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    return hmac.compare_digest(cookie, session_value(token))


def refuse_other_origins(request: Request) -> None:
    """Refuse a POST that names an origin other than this server's."""
    origin = _origin(request)
    if request.method not in SAFE_METHODS and origin is not None and origin != _host(request):
        raise HTTPException(403, f"cross-site request from {origin} refused")


def require_same_origin(request: Request) -> None:
    """Refuse a POST that does not name this server as its origin."""
    origin = _origin(request)
    if origin != _host(request):
        raise HTTPException(403, f"cross-site request from {origin or 'an unknown origin'} refused")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this server, never another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/jobs"


def _origin(request: Request) -> str | None:
    """The host (and port) of the page that sent the request, when the browser names it."""
    named = request.headers.get("origin") or request.headers.get("referer")
    if not named:
        return None
    return urlsplit(named).netloc or named


def _host(request: Request) -> str:
    return request.headers.get("host", "")
