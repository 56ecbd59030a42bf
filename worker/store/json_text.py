"""JSON text for the store, in which a float stays a float on every backend.

PostgreSQL keeps JSONB numbers as `numeric`, which prints a number without a fractional part
as an integer: `1e+20`, as Python writes a float of 1e20, reads back as the integer
100000000000000000000, and a float parameter would come back as an exact integer. A float
without a fractional part is therefore written with one (`100000000000000000000.0`), which
reads back as the same float (it is the float's exact decimal value).
"""

from __future__ import annotations

import json
import math
from typing import Any


def json_text(value: Any) -> str:
    """`value` as JSON, as `json.dumps` writes it but for whole floats, written with `.0`."""
    if not _has_whole_exponent_float(value):
        return json.dumps(value)
    if isinstance(value, float):
        return f"{int(value)}.0"
    if isinstance(value, dict):
        items = (f"{json.dumps(str(key))}: {json_text(item)}" for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    return "[" + ", ".join(json_text(item) for item in value) + "]"


def _has_whole_exponent_float(value: Any) -> bool:
    """Whether `value` holds a finite whole float that `repr` writes with an exponent."""
    if isinstance(value, float):
        return math.isfinite(value) and value.is_integer() and "e" in repr(value)
    if isinstance(value, dict):
        return any(_has_whole_exponent_float(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_has_whole_exponent_float(item) for item in value)
    return False
