"""JSON text for the store: whole floats keep a fractional part, so that JSONB keeps them floats."""

import json
import math

import numpy as np
import pytest

from solverq.worker.store.json_text import json_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e20, "100000000000000000000.0"),
        ([1e16, 2.5, 3, True, None, "1e20"], '[10000000000000000.0, 2.5, 3, true, null, "1e20"]'),
        ({"a": {"b": -1e17}}, '{"a": {"b": -100000000000000000.0}}'),
        ({"a": [1.0, 1e-20]}, '{"a": [1.0, 1e-20]}'),
    ],
)
def test_whole_floats_are_written_with_a_fractional_part(value, text) -> None:
    assert json_text(value) == text
    assert json.loads(text) == value


def test_every_whole_float_reads_back_as_itself() -> None:
    values = [math.ldexp(1.0, exponent) for exponent in range(53, 1024)] + [np.finfo(float).max]
    assert json.loads(json_text(values)) == values
    assert all(type(value) is float for value in json.loads(json_text(values)))
