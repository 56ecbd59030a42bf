"""The shared ODE problem parameters: named problems, overrides, batches, refusals, and the
problem they build."""

from typing import ClassVar

import numpy as np
import pytest

from solverq.plugins.builtin.ode_problem import ODEProblemParameters, build_problem
from solverq.plugins.errors import RejectedRequest
from solverq.plugins.parameters import stored_parameters, validate_parameters
from solverq.solvers.ode.named import OSCILLATOR


def validate(params: dict, model: type[ODEProblemParameters] = ODEProblemParameters):
    return validate_parameters(model, params, owner="ode")


def refusal(params: dict, model: type[ODEProblemParameters] = ODEProblemParameters) -> str:
    with pytest.raises(RejectedRequest) as refused:
        validate(params, model)
    return str(refused.value)


def test_a_named_problem_fills_in_its_defaults() -> None:
    params = validate({"problem": "oscillator"})
    assert stored_parameters(params) == {
        "problem": "oscillator",
        "rhs": OSCILLATOR.rhs,
        "order": 2,
        "constants": OSCILLATOR.constants,
        "y0": 1.0,
        "dy0": 0.0,
        "x0": 0.0,
        "x1": 20.0,
        "exact": None,
    }


def test_given_constants_merge_with_the_named_ones() -> None:
    params = validate({"problem": "oscillator", "constants": {"eta": 0.5, "c": 1}})
    assert params.constants == {**OSCILLATOR.constants, "eta": 0.5, "c": 1.0}


def test_explicit_parameters_override_the_named_problem() -> None:
    params = validate({"problem": "decay", "y0": 2, "x0": 1, "x1": 3, "constants": {"gamma": 3}})
    problem = build_problem(params)
    assert (problem.x0, problem.x1, problem.y0.tolist()) == (1.0, 3.0, [2.0])
    x = np.linspace(1.0, 3.0, 5)
    np.testing.assert_allclose(problem.exact(x), [2.0 * np.exp(-3.0 * (x - 1.0))], rtol=1e-15)


def test_validated_parameters_round_trip_through_their_stored_form() -> None:
    params = validate({"problem": "oscillator", "y0": [1, 2], "constants": {"k": [1, 3]}})
    assert validate(stored_parameters(params)) == params


def test_the_named_solution_is_dropped_when_the_equation_changes() -> None:
    assert build_problem(validate({"problem": "decay", "rhs": "-gamma * y**2"})).exact is None
    assert build_problem(validate({"problem": "decay"})).exact is not None


def test_a_given_exact_solution_replaces_the_named_one() -> None:
    problem = build_problem(validate({"problem": "decay", "exact": "0 * x"}))
    np.testing.assert_array_equal(problem.exact(np.array([0.0, 1.0])), [[0.0, 0.0]])


def test_a_written_out_system() -> None:
    params = validate(
        {
            "rhs": ["y[1]", "-k * y[0]"],
            "y0": [1, 0],
            "x1": 2,
            "constants": {"k": 4},
            "exact": ["cos(2 * x)", "-2 * sin(2 * x)"],
        }
    )
    problem = build_problem(params)
    assert problem.components == 2 and problem.system and problem.order == 1
    np.testing.assert_array_equal(problem.y0, [1.0, 0.0])
    np.testing.assert_allclose(problem.exact(np.array([1.0])), [[np.cos(2)], [-2 * np.sin(2)]])


def test_a_number_is_an_expression() -> None:
    problem = build_problem(validate({"rhs": 2, "y0": 0, "x1": 1}))
    assert problem.rhs(0.0, np.zeros(1)).tolist() == [2.0]


def test_a_list_of_starting_points_is_a_batch() -> None:
    problem = build_problem(validate({"problem": "oscillator", "y0": [1, 2, 3]}))
    assert problem.batch_size == 3 and problem.y0.shape == (1, 3) and problem.dy0.shape == (1,)
    x = np.linspace(0.0, 2.0, 5)
    single = [
        build_problem(validate({"problem": "oscillator", "y0": y0})).exact(x)[0] for y0 in (1, 2, 3)
    ]
    np.testing.assert_allclose(problem.exact(x), np.transpose(single)[np.newaxis], rtol=1e-13)


def test_a_list_of_constant_values_is_a_batch() -> None:
    problem = build_problem(validate({"problem": "decay", "constants": {"gamma": [1, 2]}}))
    assert problem.batch_size == 2
    np.testing.assert_allclose(problem.rhs(0.0, np.ones((1, 2))), [[-1.0, -2.0]])


def test_a_batch_of_one_keeps_its_axis() -> None:
    problem = build_problem(validate({"problem": "decay", "y0": [4]}))
    assert problem.batch_size == 1 and problem.y0.shape == (1, 1)


def test_a_batch_of_systems_is_a_list_of_lists() -> None:
    params = {"rhs": ["y[1]", "-y[0]"], "y0": [[1, 0], [2, 0], [3, 1]], "x1": 1}
    problem = build_problem(validate(params))
    assert problem.batch_size == 3
    np.testing.assert_array_equal(problem.y0, [[1, 2, 3], [0, 0, 1]])


def test_a_model_without_batches_refuses_them() -> None:
    class Single(ODEProblemParameters):
        batch_allowed: ClassVar[bool] = False

    message = refusal({"problem": "decay", "y0": [1, 2]}, Single)
    assert message.startswith("parameter 'y0' of ode must be a single value")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"problem": "growth"}, "parameter 'problem' of ode must be 'decay' or 'oscillator'"),
        ({"x1": 1, "y0": 1}, "parameter 'rhs' of ode is required unless a problem is named"),
        ({"rhs": "-y", "y0": 1}, "parameter 'x1' of ode is required"),
        ({"problem": "decay", "x1": 0}, "parameter 'x1' of ode must be greater than x0 = 0.0"),
        ({"rhs": "-y", "x1": 1}, "parameter 'y0' of ode is required for order 1"),
        ({"problem": "decay", "order": 2}, "parameter 'dy0' of ode is required for order 2"),
        ({"problem": "decay", "dy0": 1}, "parameter 'dy0' of ode is only for order 2"),
        ({"problem": "decay", "order": 3}, "parameter 'order' of ode must be 1 or 2"),
        (
            {"problem": "decay", "rhs": "-gama * y"},
            "parameter 'rhs' of ode uses unknown name 'gama' at column 2: 'gama' "
            "(known names: x, gamma, y, pi, e), got '-gama * y'",
        ),
        (
            {"rhs": ["y[1]", "os.system(y[0])"], "y0": [1, 0], "x1": 1},
            "parameter 'rhs[1]' of ode holds an attribute, which is not allowed",
        ),
        ({"problem": "decay", "rhs": "-gamma * dy"}, "unknown name 'dy'"),
        ({"problem": "decay", "rhs": "y[1]"}, "the index must be an integer 0 to 0"),
        ({"problem": "decay", "rhs": ["-y[0]"] * 21}, "must list 1 to 20 expressions"),
        ({"problem": "decay", "rhs": "x" * 2001}, "at most 2000"),
        ({"problem": "decay", "y0": [[1]]}, "parameter 'y0' of ode must be a number, or a list"),
        ({"problem": "decay", "y0": "one"}, "parameter 'y0' of ode must be a valid number"),
        (
            {"rhs": ["y[1]", "-y[0]"], "y0": [1], "x1": 1},
            "parameter 'y0' of ode must list 2 numbers, one per component",
        ),
        (
            {"rhs": ["y[1]", "-y[0]"], "y0": [[1, 0], [1]], "x1": 1},
            "parameter 'y0' of ode must list 2 numbers",
        ),
        ({"problem": "decay", "constants": {"y": 1}}, "names a constant 'y', which is reserved"),
        ({"problem": "decay", "constants": {"sin": 1}}, "'sin', which is reserved"),
        ({"problem": "decay", "constants": {"2k": 1}}, "'2k', which is not a valid name"),
        ({"problem": "decay", "constants": {"lambda": 1}}, "'lambda', which is not a valid"),
        ({"problem": "decay", "constants": {"gamma": []}}, "an empty list of values"),
        ({"problem": "decay", "constants": {"gamma": "fast"}}, "'constants.gamma' of ode must"),
        (
            {"problem": "decay", "y0": [1, 2, 3], "constants": {"gamma": [1, 2]}},
            "parameter 'constants.gamma' of ode has 2 values where y0 has 3",
        ),
        ({"problem": "decay", "y0": [1.0] * 10_001}, "at most 10000 are allowed"),
        ({"problem": "decay", "exact": ["x", "x"]}, "must give one expression per component"),
        ({"problem": "decay", "exact": "y * x"}, "parameter 'exact' of ode uses unknown name 'y'"),
        ({"problem": "decay", "x1": "NaN"}, "parameter 'x1' of ode"),
        ({"problem": "decay", "speed": 1}, "unknown parameter 'speed' of ode"),
    ],
)
def test_bad_parameters_are_refused_with_one_clear_line(params: dict, message: str) -> None:
    text = refusal(params)
    assert message in text
    assert "\n" not in text


def test_a_constant_named_in_fullwidth_letters_is_the_ascii_name() -> None:
    params = validate({"rhs": "\uff4b * y", "constants": {"\uff4b": 2.0}, "y0": 1.0, "x1": 1.0})
    assert params.constants == {"k": 2.0}
    problem = build_problem(params)
    np.testing.assert_allclose(problem.rhs(0.5, np.array([3.0]), None), [6.0])


def test_a_fullwidth_constant_overrides_the_named_problems() -> None:
    params = validate({"problem": "decay", "constants": {"\uff47\uff41\uff4d\uff4d\uff41": 7.0}})
    assert params.constants == {"gamma": 7.0}


def test_a_fullwidth_reserved_name_is_refused_as_the_reserved_name() -> None:
    message = refusal({"rhs": "\uff58*y", "constants": {"\uff58": 2}, "y0": 1, "x1": 1})
    assert "names a constant 'x', which is reserved" in message


def test_two_spellings_of_one_constant_are_refused() -> None:
    message = refusal({"rhs": "k*y", "constants": {"\uff4b": 2, "k": 3}, "y0": 1, "x1": 1})
    assert "names the constant 'k' twice: '\uff4b' and 'k' are one name" in message
