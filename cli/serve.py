"""`solverq serve`: the dashboard and the HTTP API."""

from __future__ import annotations

from typing import Annotated

import typer

LOOPBACK = "127.0.0.1"


def serve(
    host: Annotated[
        str,
        typer.Option(help="The address to listen on; another than loopback needs a token."),
    ] = LOOPBACK,
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port to listen on.")] = 8000,
    processes: Annotated[
        int, typer.Option(min=1, help="Embedded mode: run submitted jobs in this many processes.")
    ] = 2,
) -> None:
    """Serve the dashboard and the HTTP API (its documentation at /docs).

    With SOLVERQ_API_TOKEN set, API requests need 'Authorization: Bearer TOKEN' and the pages
    ask for the token once.
    """
    import uvicorn

    from solverq.web.app import create_app
    from solverq.web.auth import check_exposure
    from solverq.worker.settings import Settings

    settings = Settings.from_environment()
    check_exposure(host, settings.api_token)
    app = create_app(settings, processes=processes)
    address = host.removeprefix("[").removesuffix("]")
    named = f"[{address}]" if ":" in address else address
    typer.echo(f"solverq serving on http://{named}:{port} (API documentation at /docs)", err=True)
    uvicorn.run(app, host=address, port=port, log_level="warning")
