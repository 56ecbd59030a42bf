"""Forms generated from parameter models, and the parameters a submitted form gives."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from solverq.plugins.builtin.euler import EulerPlugin
from solverq.plugins.parameters import ParameterModel
from solverq.web.forms import form_fields, submitted_parameters


class Example(ParameterModel):
    name: str = Field("a", description="A string.")
    method: Literal["x", "y"] = "x"
    flag: bool = True
    rate: float | Literal["auto"] = Field("auto", description="A rate.")
    sizes: list[int] = Field([1, 2], min_length=1)
    count: int = Field(ge=1)
    problem: Literal["p", "q"] | None = None


def test_fields_follow_the_model() -> None:
    fields = {field.name: field for field in form_fields(Example)}
    assert list(fields) == ["name", "method", "flag", "rate", "sizes", "count", "problem"]
    assert fields["name"].plain_string and fields["name"].value == "a"
    assert fields["method"].choices == ["x", "y"] and fields["flag"].choices == ["true", "false"]
    assert fields["problem"].choices == ["", "p", "q"] and fields["problem"].value == ""
    assert fields["rate"].choices == [] and not fields["rate"].plain_string
    assert fields["sizes"].value == "[1, 2]" and fields["sizes"].type == "list[integer]"
    assert fields["count"].required and fields["count"].type == "integer (>= 1)"
    assert fields["rate"].help == "A rate."


def test_only_values_that_differ_from_the_defaults_are_sent() -> None:
    form = {
        "p.name": "12",
        "p.method": "x",
        "p.flag": "false",
        "p.rate": "0.5",
        "p.sizes": "[1, 2]",
        "p.count": "3",
        "p.problem": "",
    }
    assert submitted_parameters(Example, form) == {
        "name": "12",
        "flag": False,
        "rate": 0.5,
        "count": 3,
    }


def test_a_named_problem_keeps_its_own_values() -> None:
    defaults = {field.input_name: field.value for field in form_fields(EulerPlugin.Parameters)}
    form = {**defaults, "p.problem": "oscillator", "p.method": "cromer"}
    params = submitted_parameters(EulerPlugin.Parameters, form)
    assert params == {"problem": "oscillator", "method": "cromer"}
    validated = EulerPlugin.validate(params)
    assert validated.order == 2
