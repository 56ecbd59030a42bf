"""A contract check that plugin authors run in their own test suite.

    from solverq.plugins.testing import check_plugin

    def test_my_plugin_meets_the_contract():
        result = check_plugin(MyPlugin, {"order": 3})
        assert result.summary["converged"]

`check_plugin` raises `AssertionError` naming the first broken rule, and returns the result of
one solve so that the test can go on to check its numbers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from solverq.plugins.arrays import array_problem, decode_arrays, encode_arrays
from solverq.plugins.contract import Plugin, Result, jsonable
from solverq.plugins.parameters import parameter_schema, stored_parameters
from solverq.plugins.registry import contract_problem


def check_plugin(
    plugin_class: type[Plugin[Any]],
    params: Mapping[str, Any] | None = None,
    inputs: Mapping[str, np.ndarray] | None = None,
) -> Result:
    """Check `plugin_class` against the plugin contract and solve `params` once with it."""
    problem = contract_problem(plugin_class, getattr(plugin_class, "name", ""))
    assert problem is None, problem
    assert plugin_class.summary.strip() and "\n" not in plugin_class.summary, (
        "summary must be one non-empty line"
    )
    for name, field in plugin_class.Parameters.model_fields.items():
        assert field.description, f"parameter '{field.alias or name}' has no help (description)"
    json.dumps(parameter_schema(plugin_class.Parameters))

    inputs = dict(inputs or {})
    validated = plugin_class.validate(params or {}, inputs)
    stored = stored_parameters(validated)
    assert json.loads(json.dumps(stored)) == stored, "validated parameters are not plain JSON"
    assert plugin_class.validate(stored, inputs) == validated, (
        "validated parameters do not round-trip through their stored form"
    )

    reported: list[float] = []

    def progress(fraction: float, message: str = "") -> None:
        assert isinstance(message, str), "progress message must be a string"
        reported.append(fraction)

    result = plugin_class().solve(validated, inputs, progress)
    assert isinstance(result, Result), f"solve returned {type(result).__name__}, not a Result"
    assert all(0.0 <= f <= 1.0 for f in reported), f"progress outside [0, 1]: {reported}"
    json.dumps(jsonable(result.summary), allow_nan=False)
    for key in plugin_class.headline:
        value = result.summary.get(key)
        assert value is None or isinstance(value, bool | int | float | str), (
            f"headline metric '{key}' is not a number, flag or string: {value!r}"
        )
    for name, array in result.arrays.items():
        problem = array_problem(name, array)
        assert problem is None, problem
    restored = decode_arrays(encode_arrays(result.arrays))
    for name, array in result.arrays.items():
        assert restored[name].shape == array.shape, f"array '{name}' changed shape when stored"
    return result
