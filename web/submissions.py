"""Reading a submitted job or sweep: a JSON body, or a multipart form whose `request` field holds
the JSON and whose `inputs` file is an `.npz` archive of input arrays."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import numpy as np
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from solverq.plugins.errors import RejectedRequest, shortened
from solverq.plugins.parameters import MAX_NESTING, check_nesting
from solverq.web.rendering import settings_of
from solverq.worker.input_files import InputBudget, read_npz

MULTIPART = "multipart/form-data"

Submission = TypeVar("Submission", bound=BaseModel)


class JobRequest(BaseModel):
    """A job to run: the plugin and its parameters, as `solverq submit` takes them."""

    model_config = ConfigDict(extra="forbid")

    plugin: str = Field(description="The solver plugin (see GET /api/plugins).")
    params: dict[str, Any] = Field(
        default_factory=dict, description="Parameters by name; a dotted name sets an entry."
    )
    time_limit: float | None = Field(None, description="Seconds the job may run.")
    queue: str | None = Field(None, description="The broker queue for the workers.")


class SweepRequest(JobRequest):
    """One job per point of a grid, as `solverq sweep` takes it."""

    grid: dict[str, list[Any] | str] = Field(
        description="Values of each swept parameter: a list, or a string as --grid takes it "
        "('0.1,0.01', 'logspace(-4,-1,4)')."
    )


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body of a route that reads `model` with `read_submission`."""
    schema = model.model_json_schema()
    form = {
        "type": "object",
        "properties": {
            "request": {"type": "string", "description": f"A {model.__name__} as JSON."},
            "inputs": {"type": "string", "format": "binary", "description": "An .npz archive."},
        },
        "required": ["request"],
    }
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema}, MULTIPART: {"schema": form}},
        }
    }


async def read_submission(
    request: Request, model: type[Submission]
) -> tuple[Submission, dict[str, np.ndarray]]:
    """The submission in the body, validated by `model`, and its input arrays (together at
    most SOLVERQ_MAX_INPUT_BYTES, checked from their headers before they are read)."""
    inputs: dict[str, np.ndarray] = {}
    if request.headers.get("content-type", "").startswith(MULTIPART):
        form = await request.form()
        text = form.get("request")
        if not isinstance(text, str):
            raise RejectedRequest("the form needs a field 'request' holding the JSON request")
        upload = form.get("inputs")
        if upload is not None and not isinstance(upload, str):
            inputs = read_upload(upload, settings_of(request).max_input_bytes)
    else:
        text = (await request.body()).decode(errors="replace")
    try:
        data = json.loads(text, parse_constant=str)
    except ValueError as error:
        raise RejectedRequest(f"the request is not valid JSON: {error}") from None
    except RecursionError:
        raise RejectedRequest(f"the request nests lists deeper than {MAX_NESTING}") from None
    for field, value in data.items() if isinstance(data, dict) else ():
        check_nesting(value, f"field '{shortened(str(field))}' of the request")
    try:
        return model.model_validate(data), inputs
    except ValidationError as error:
        raise RequestValidationError(
            [{**item, "loc": ("body", *item["loc"])} for item in error.errors()]
        ) from None


def read_upload(upload: UploadFile, max_input_bytes: int) -> dict[str, np.ndarray]:
    """Named arrays from an uploaded `.npz` archive, read from the file it is spooled to, its
    arrays' sizes checked from their headers against `max_input_bytes` before any is read."""
    return read_npz(upload.file, InputBudget(max_input_bytes), upload.filename or "inputs")


def created(record: dict[str, Any], location: str) -> JSONResponse:
    """201 Created: the new record, and where to find it."""
    return JSONResponse(record, status_code=201, headers={"Location": location})
