"""Plugins: the API (`/api/plugins`) and the pages (`/plugins`, `/plugins/NAME`), over the
registry as `solverq plugins` uses it; a plugin's page holds a form, generated from its
parameter model, that submits a job or, with a grid, a sweep."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from solverq.plugins.errors import RejectedRequest
from solverq.plugins.parameters import parameter_schema
from solverq.plugins.registry import PluginInfo, discover, get_plugin
from solverq.web.auth import require_api_access, require_page_access
from solverq.web.forms import form_fields, submitted_parameters
from solverq.web.rendering import page, settings_of
from solverq.web.submissions import read_upload
from solverq.worker import service
from solverq.worker.grid import parse_grid_options
from solverq.worker.settings import Settings
from solverq.worker.sweep_service import submit_sweep

api = APIRouter(prefix="/api", tags=["plugins"], dependencies=[Depends(require_api_access)])
pages = APIRouter(include_in_schema=False, dependencies=[Depends(require_page_access)])

SettingsDependency = Annotated[Settings, Depends(settings_of)]


@api.get("/plugins", summary="The installed plugins: name, version, summary")
def list_plugins() -> list[dict[str, Any]]:
    return [
        {"name": p.name, "version": p.version, "distribution": p.distribution, "summary": p.summary}
        for p in discover().values()
    ]


@api.get("/plugins/{name}", summary="A plugin and its parameter model as JSON schema")
def show_plugin(name: str) -> dict[str, Any]:
    plugin = known_plugin(name)
    return {
        "name": plugin.name,
        "version": plugin.version,
        "summary": plugin.summary,
        "parameters": parameter_schema(plugin.plugin_class.Parameters),
    }


@pages.get("/plugins", response_class=HTMLResponse)
def plugins_page(request: Request) -> HTMLResponse:
    return page(request, "plugins.html", {"plugins": list(discover().values())})


@pages.get("/plugins/{name}", response_class=HTMLResponse)
def plugin_page(request: Request, name: str) -> HTMLResponse:
    return plugin_form(request, known_plugin(name))


@pages.post("/plugins/{name}", response_class=HTMLResponse)
async def submit_from_form(request: Request, name: str) -> Response:
    """Submit the form's job (or, with a grid, its sweep) and go to its page; a rejected
    request shows the form again with the values given and the reason."""
    plugin = known_plugin(name)
    form = await request.form()
    settings: Settings = settings_of(request)
    runner = request.app.state.runner
    try:
        params = submitted_parameters(plugin.plugin_class.Parameters, form)
        inputs: dict[str, np.ndarray] = {}
        upload = form.get("inputs")
        if upload is not None and not isinstance(upload, str) and upload.filename:
            inputs = read_upload(upload, settings.max_input_bytes)
        time_limit = _time_limit(form.get("time_limit"))
        grid_text = form.get("grid")
        grid_lines = grid_text.splitlines() if isinstance(grid_text, str) else []
        grid = parse_grid_options([line.strip() for line in grid_lines if line.strip()])
        if grid:
            sweep = submit_sweep(
                name, grid, params, inputs, time_limit=time_limit, settings=settings, runner=runner
            )
            return RedirectResponse(f"/sweeps/{sweep.id}", status_code=303)
        job = service.submit(
            name, params, inputs, time_limit=time_limit, settings=settings, runner=runner
        )
    except RejectedRequest as error:
        return plugin_form(request, plugin, form, str(error), status_code=400)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def plugin_form(
    request: Request,
    plugin: PluginInfo,
    given: Any = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    fields = form_fields(plugin.plugin_class.Parameters)
    values = {
        field.name: given.get(field.input_name, field.value) if given else field.value
        for field in fields
    }
    context = {
        "plugin": plugin,
        "fields": fields,
        "values": values,
        "grid": given.get("grid", "") if given else "",
        "time_limit": given.get("time_limit", "") if given else "",
        "error": error,
    }
    return page(request, "plugin.html", context, status_code=status_code)


def known_plugin(name: str) -> PluginInfo:
    """The plugin called `name`, or 404."""
    try:
        return get_plugin(name)
    except RejectedRequest as error:
        raise HTTPException(404, str(error)) from None


def _time_limit(text: Any) -> float | None:
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise RejectedRequest(f"time limit must be a number of seconds, got '{text}'") from None
