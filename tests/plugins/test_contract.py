import json

import numpy as np
import pytest
from pydantic import Field

from solverq.plugins import Plugin, RejectedRequest, Result
from solverq.plugins.contract import jsonable, refuse_non_finite
from solverq.plugins.parameters import ParameterModel
from solverq.plugins.testing import check_plugin


def test_the_example_third_party_plugins_meet_the_contract(test_plugins) -> None:
    from solverq_testplugins import Echo, Sleep

    result = check_plugin(Echo, {"values": [1, 2, 4], "scale": 2})
    assert result.summary == {"total": 14.0, "count": 3}
    np.testing.assert_array_equal(result.arrays["values"], [2, 4, 8])
    check_plugin(Sleep, {"seconds": 0, "steps": 3})


class Undocumented(ParameterModel):
    n: int = 3


class Careless(Plugin):
    name = "careless"
    summary = "Forgets to document its parameters"
    Parameters = Undocumented

    def solve(self, params, inputs, progress):
        return Result({"n": params.n})


class Documented(ParameterModel):
    n: int = Field(3, description="How many.")


class Sloppy(Plugin):
    name = "sloppy"
    summary = "Returns what the store cannot keep"
    Parameters = Documented

    def solve(self, params, inputs, progress):
        progress(2.0)
        return Result({"n": params.n}, {"items": np.array([object()], dtype=object)})


class Unstorable(Sloppy):
    def solve(self, params, inputs, progress):
        return Result({"n": params.n}, {"items": np.array([object()], dtype=object)})


def test_missing_help_text_fails_the_check() -> None:
    with pytest.raises(AssertionError, match="parameter 'n' has no help"):
        check_plugin(Careless)


def test_progress_outside_the_unit_interval_fails_the_check() -> None:
    with pytest.raises(AssertionError, match="progress outside"):
        check_plugin(Sloppy)


def test_unstorable_arrays_fail_the_check() -> None:
    with pytest.raises(AssertionError, match="only Python integers"):
        check_plugin(Unstorable)


class Headlined(Plugin):
    name = "headlined"
    summary = "Declares a list as a headline metric"
    Parameters = Documented
    headline = ("n", "items")

    def solve(self, params, inputs, progress):
        return Result({"n": params.n, "items": [1, 2]})


class Misheadlined(Headlined):
    headline = "n"


def test_headline_metrics_are_a_tuple_of_scalar_summary_keys() -> None:
    with pytest.raises(AssertionError, match="headline metric 'items' is not a number"):
        check_plugin(Headlined)
    with pytest.raises(AssertionError, match=r"Misheadlined.headline is not a tuple"):
        check_plugin(Misheadlined)


def test_jsonable_turns_numpy_data_into_plain_json() -> None:
    value = {
        "a": np.float64(1.5),
        "b": np.arange(3),
        "c": (1, np.int32(2)),
        "d": float("nan"),
        "e": 1 + 2j,
        "f": {"g": np.bool_(True)},
    }
    data = jsonable(value)
    assert data == {
        "a": 1.5,
        "b": [0, 1, 2],
        "c": [1, 2],
        "d": None,
        "e": [1.0, 2.0],
        "f": {"g": True},
    }
    json.dumps(data, allow_nan=False)
    with pytest.raises(TypeError, match="object is not JSON data"):
        jsonable({"x": object()})


def test_non_finite_inputs_are_refused_with_their_place() -> None:
    refuse_non_finite({"x": np.arange(3), "y": np.array(["a"])}, "sgd")
    with pytest.raises(RejectedRequest, match=r"input array 'y' of sgd holds nan at index 1"):
        refuse_non_finite({"y": np.array([1.0, np.nan])}, "sgd")
    with pytest.raises(RejectedRequest, match=r"holds inf at index \(1, 0\)"):
        refuse_non_finite({"X": np.array([[1.0], [np.inf]])}, "sgd")
