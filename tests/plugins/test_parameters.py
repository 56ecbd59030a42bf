from typing import Annotated, Literal

import pytest
from pydantic import Field

from solverq.plugins.errors import RejectedRequest
from solverq.plugins.parameters import (
    ParameterModel,
    assign,
    parameter_names,
    parse_assignment,
    parse_value,
    stored_parameters,
    validate_parameters,
)


class Example(ParameterModel):
    eta: Annotated[float, Field(gt=0)] | Literal["auto"] = Field(
        "auto", description="Learning rate."
    )
    epochs: int = Field(100, ge=1, description="Epochs.")
    lam: float = Field(0.0, alias="lambda", ge=0, description="Ridge penalty.")
    constants: dict[str, float] = Field({}, description="Named constants.")
    hidden: list[int] = Field([10], description="Layer widths.")
    x1: float = Field(description="End of the interval.")


def rejection(params: dict) -> str:
    with pytest.raises(RejectedRequest) as caught:
        validate_parameters(Example, params, owner="sgd")
    return str(caught.value)


def test_out_of_range_names_parameter_bound_and_value() -> None:
    assert rejection({"x1": 1, "epochs": 0}) == (
        "parameter 'epochs' of sgd must be greater than or equal to 1, got 0"
    )


def test_union_alternatives_are_joined() -> None:
    assert rejection({"x1": 1, "eta": "fast"}) == (
        "parameter 'eta' of sgd must be a valid number or 'auto', got 'fast'"
    )


def test_bound_applies_to_the_number_of_a_union() -> None:
    assert rejection({"x1": 1, "eta": -1}) == (
        "parameter 'eta' of sgd must be greater than 0 or 'auto', got -1"
    )


def test_unknown_parameter_lists_the_known_ones_by_their_user_names() -> None:
    message = rejection({"x1": 1, "etaa": 0.1})
    assert message.startswith("unknown parameter 'etaa' of sgd (known: ")
    assert "lambda" in message and "lam," not in message


def test_missing_required_parameter() -> None:
    assert rejection({}) == "parameter 'x1' of sgd is required"


def test_nested_locations_are_named() -> None:
    assert rejection({"x1": 1, "constants": {"gamma": "fast"}}).startswith(
        "parameter 'constants.gamma' of sgd must be a valid number"
    )
    assert rejection({"x1": 1, "hidden": [10, "wide"]}).startswith(
        "parameter 'hidden[1]' of sgd must be a valid integer"
    )


def test_non_finite_numbers_are_refused() -> None:
    assert "must be a finite number" in rejection({"x1": float("nan")})


def test_long_inputs_are_shortened_in_messages() -> None:
    message = rejection({"x1": "x" * 500})
    assert len(message) < 200
    assert message.endswith("xxx...")


def test_stored_parameters_use_aliases_and_fill_defaults() -> None:
    params = validate_parameters(Example, {"x1": 2, "lambda": 0.5}, owner="sgd")
    assert stored_parameters(params) == {
        "eta": "auto",
        "epochs": 100,
        "lambda": 0.5,
        "constants": {},
        "hidden": [10],
        "x1": 2.0,
    }
    assert validate_parameters(Example, stored_parameters(params), owner="sgd") == params
    assert parameter_names(Example) == ["eta", "epochs", "lambda", "constants", "hidden", "x1"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1000", 1000),
        ("0.5", 0.5),
        ("[1,0]", [1, 0]),
        ('{"gamma":2}', {"gamma": 2}),
        ("true", True),
        ("-2*y", "-2*y"),
        ("auto", "auto"),
        ("NaN", "NaN"),
        ("[1, Infinity]", [1, "Infinity"]),
        ("", ""),
    ],
)
def test_values_are_json_when_they_parse(text: str, value: object) -> None:
    assert parse_value(text) == value


def test_assignment_splits_at_the_first_equals_sign() -> None:
    assert parse_assignment("rhs=y==1") == ("rhs", "y==1")
    with pytest.raises(RejectedRequest, match="expected KEY=VALUE"):
        parse_assignment("eta")


def test_dotted_keys_set_entries_of_a_mapping() -> None:
    params: dict = {"constants": {"m": 1}}
    assign(params, "constants.gamma", 2)
    assign(params, "eta", 0.1)
    assert params == {"constants": {"m": 1, "gamma": 2}, "eta": 0.1}
    with pytest.raises(RejectedRequest, match="not a mapping"):
        assign(params, "eta.x", 1)
    with pytest.raises(RejectedRequest, match="malformed"):
        assign(params, "constants.", 1)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"epochs": True}, "parameter 'epochs' of sgd must be a number, not a boolean, got True"),
        ({"lambda": False}, "parameter 'lambda' of sgd must be a number, not a boolean, got False"),
        ({"eta": True}, "parameter 'eta' of sgd must be a number, not a boolean, got True"),
        ({"hidden": [3, True]}, "parameter 'hidden' of sgd must hold numbers, not booleans"),
        ({"constants": {"g": True}}, "parameter 'constants' of sgd must hold numbers"),
    ],
)
def test_booleans_are_not_numbers(params: dict, message: str) -> None:
    assert rejection({"x1": 1, **params}).startswith(message)


def test_numbers_still_validate_beside_the_boolean_check() -> None:
    params = validate_parameters(
        Example, {"x1": 1, "epochs": 3, "hidden": [2, 4], "constants": {"g": 1}}, owner="sgd"
    )
    assert (params.epochs, params.hidden, params.constants) == (3, [2, 4], {"g": 1.0})
