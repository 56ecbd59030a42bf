"""The numbers of a summary by dotted key, as the table `job_metrics` holds them for sorting.

Sorting 10,000 jobs by a summary metric read out of each summary's JSON costs a parse of every
summary (most of the time of such a listing on SQLite); the metrics are written beside the
summary instead, with the result, so that the sort reads one narrow row per job. A metric is a
number (not a boolean) at a path of mapping keys that `key_path` accepts (`mse`,
`fit.residual`), exactly the elements a sort by that key would read from the JSON.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from solverq.worker.store.json_sql import KEY_PATTERN


def summary_metrics(summary: Mapping[str, Any]) -> dict[str, float]:
    """Each finite number in `summary` (nested mappings included, lists not) by its dotted
    key: `{"mse": 0.1, "fit": {"r2": 0.9}, "converged": True}` gives
    `{"mse": 0.1, "fit.r2": 0.9}`."""
    return dict(_numbers(summary, ""))


def _numbers(mapping: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, float]]:
    for key, value in mapping.items():
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
            continue
        if isinstance(value, Mapping):
            yield from _numbers(value, f"{prefix}{key}.")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            try:
                number = float(value)
            except OverflowError:
                continue
            if math.isfinite(number):
                yield f"{prefix}{key}", number
