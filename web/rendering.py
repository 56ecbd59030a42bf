"""What the routes share: the settings, the templates and their filters, figures as PNG."""

from __future__ import annotations

import io
import json
import math
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from solverq.worker.settings import Settings

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from solverq.worker.store import JobRecord

HERE = Path(__file__).resolve().parent
FIGURE_DPI = 100
MAX_SHOWN_VALUE = 80

templates = Jinja2Templates(directory=HERE / "templates")


def settings_of(request: Request) -> Settings:
    """The server's settings (a route dependency)."""
    return request.app.state.settings


def page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """The template `name` rendered for `request`."""
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def png(figure: Figure) -> Response:
    """A figure as a PNG response."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
    return Response(buffer.getvalue(), media_type="image/png")


def cell(value: Any) -> str:
    """A value in a table: numbers to 6 significant digits, nothing for None, long values cut."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}" if math.isfinite(value) else str(value)
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 3] + "..."


def full(value: Any) -> str:
    """A value in full: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def moment(value: datetime | None) -> str:
    """A moment in the server's local time, to the second."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else ""


def run_time(job: JobRecord) -> str:
    """How long the job ran (so far)."""
    seconds = job.run_seconds
    return "" if seconds is None else f"{seconds:.2f}s"


templates.env.filters.update(cell=cell, full=full, moment=moment, run_time=run_time)
