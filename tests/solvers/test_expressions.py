"""The expression language: evaluation against numpy, derivatives under autograd, C text and
refusals of everything outside the whitelist."""

import numpy as np
import pytest
from autograd import elementwise_grad, grad

from solverq.solvers.expressions import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    ExpressionError,
    Variables,
    c_expression,
    parse,
)

SCALAR = Variables(scalars=("x", "gamma"), vectors={"y": 1})
SYSTEM = Variables(scalars=("x", "k"), vectors={"y": 2, "dy": 2})
RNG = np.random.default_rng(5)

# points inside the domain of every function of the language
POINTS = np.linspace(0.1, 0.9, 9)


def test_arithmetic_agrees_with_numpy() -> None:
    x, y, gamma = RNG.uniform(0.5, 2.0, (3, 50))
    expression = parse("-gamma * y / (1 + x**2) + 3 - +x * 2e-1 + pi - e", SCALAR)
    value = expression({"x": x, "y": y[np.newaxis], "gamma": gamma})
    expected = -gamma * y / (1 + x**2) + 3 - x * 0.2 + np.pi - np.e
    np.testing.assert_allclose(value, expected, rtol=1e-15)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_function_is_numpys_and_differentiates(name: str) -> None:
    arity = FUNCTIONS[name].arity
    expression = parse(f"{name}({', '.join(['x'] * arity)})", SCALAR)
    points = POINTS + (1.0 if name == "arccosh" else 0.0)
    numpy_function = getattr(np, name)
    np.testing.assert_allclose(
        expression({"x": points}), numpy_function(*[points] * arity), rtol=1e-15
    )
    derivative = elementwise_grad(lambda x: expression({"x": x}))(points)
    step = 1e-6
    central = (
        numpy_function(*[points + step] * arity) - numpy_function(*[points - step] * arity)
    ) / (2 * step)
    np.testing.assert_allclose(derivative, central, rtol=1e-6)


def test_derivatives_with_respect_to_every_variable() -> None:
    expression = parse("(k * cos(x) - 0.5 * dy[1] - y[0]**3) / (1 + y[1]**2)", SYSTEM)

    def f(x: float, y: np.ndarray, dy: np.ndarray) -> float:
        return expression({"x": x, "k": 2.0, "y": y, "dy": dy})

    x, y, dy = 0.3, np.array([0.7, -0.4]), np.array([0.1, 0.2])
    denominator = 1 + y[1] ** 2
    assert grad(f, 0)(x, y, dy) == pytest.approx(-2.0 * np.sin(x) / denominator, rel=1e-14)
    numerator = 2.0 * np.cos(x) - 0.5 * dy[1] - y[0] ** 3
    expected_y = [-3 * y[0] ** 2 / denominator, -numerator * 2 * y[1] / denominator**2]
    np.testing.assert_allclose(grad(f, 1)(x, y, dy), expected_y, rtol=1e-14)
    np.testing.assert_allclose(grad(f, 2)(x, y, dy), [0.0, -0.5 / denominator], rtol=1e-14)


def test_comparisons_are_zero_one_switches() -> None:
    x = np.array([0.0, 1.0, 1.5, 2.0, 3.0])
    switch = parse("(x > 1) * 2 + (x == 3) - (1 <= x < 2)", SCALAR)
    np.testing.assert_array_equal(switch({"x": x}), [0.0, -1.0, 1.0, 2.0, 3.0])
    derivative = elementwise_grad(lambda v: parse("(x > 1) * x**2", SCALAR)({"x": v}))(x)
    np.testing.assert_array_equal(derivative, [0.0, 0.0, 3.0, 4.0, 6.0])


def test_numpy_semantics_for_division_by_zero() -> None:
    expression = parse("1 / x + 0 ** -1", SCALAR)
    with np.errstate(divide="ignore"):
        assert expression({"x": np.float64(0.0)}) == np.inf


def test_bare_vector_of_one_component_is_its_entry() -> None:
    values = {"x": 0.0, "gamma": 2.0, "y": np.array([[1.0, 2.0]])}
    np.testing.assert_array_equal(parse("gamma * y", SCALAR)(values), [2.0, 4.0])
    np.testing.assert_array_equal(parse("gamma * y[0]", SCALAR)(values), [2.0, 4.0])


def test_c_text_is_built_from_the_tree() -> None:
    def c_name(name: str, index: int) -> str:
        return f"{name}_{index}"

    expression = parse("-k * y[1]**2 / abs(dy[0]) + (x >= 1e-3) + arctan2(x, pi)", SYSTEM)
    assert c_expression(expression.tree, SYSTEM, c_name) == (
        "(((((-k_0) * pow(y_1, 2.0)) / fabs(dy_0)) + ((double)((x_0 >= 0.001))))"
        " + atan2(x_0, 3.141592653589793))"
    )
    chain = parse("0 < x <= 1", SCALAR)
    assert c_expression(chain.tree, SCALAR, c_name) == "((double)((0.0 < x_0) && (x_0 <= 1.0)))"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("np.sin(x)", "an attribute, which is not allowed at column 1: 'np.sin'"),
        ("x.real", "an attribute"),
        ("__import__('os')", "calls unknown function '__import__'"),
        ("foo(x)", "calls unknown function 'foo' at column 1: 'foo(x)' (functions: sin, cos"),
        ("gama * y", "uses unknown name 'gama' at column 1: 'gama' (known names: x, gamma, y"),
        ("y[1]", "a subscript (the index must be an integer 0 to 0)"),
        ("y[-1]", "a subscript"),
        ("y[0:1]", "a subscript"),
        ("y[x]", "a subscript"),
        ("y[True]", "a subscript"),
        ("gamma[0]", "a subscript (only y[k])"),
        ("(lambda: 1)()", "a call of something that is not a function name"),
        ("lambda: 1", "a lambda"),
        ("[y for y in x]", "a comprehension"),
        ("sum(i for i in x)", "calls unknown function 'sum'"),
        ("'text'", "a string"),
        ("1j * x", "a complex number"),
        ("True * x", "holds True"),
        ("x if x > 0 else 0", "a conditional expression"),
        ("x > 0 and x < 1", "'and'/'or'"),
        ("x % 2", "the operator '%'"),
        ("x // 2", "the operator '//'"),
        ("x is x", "the operator 'is'"),
        ("not x", "the operator 'not'"),
        ("(x, x)", "a tuple"),
        ("{x: 1}", "a dictionary"),
        ("sin(x=1)", "a keyword argument"),
        ("sin(*x)", "a starred argument"),
        ("sin", "uses the function 'sin' without calling it"),
        ("hypot(x)", "calls 'hypot' with 1 argument(s) at column 1: 'hypot(x)'; it takes 2"),
        ("(z := 1)", "an assignment expression"),
        ("f'{x}'", "an f-string"),
        ("1e999 * x", "a number too large for a double"),
        ("x +", "is not a valid expression: invalid syntax"),
        ("x = 1", "is not a valid expression"),
        ("", "is empty"),
        ("   ", "is empty"),
    ],
)
def test_refusals_name_the_offending_part(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as refusal:
        parse(text, SCALAR)
    assert message in str(refusal.value)


def test_a_bare_vector_of_a_system_is_refused() -> None:
    with pytest.raises(ExpressionError, match=r"'y' bare .* has 2 components here: write y\[0\]"):
        parse("-y", SYSTEM)


def test_columns_count_from_the_given_text() -> None:
    with pytest.raises(ExpressionError, match="at column 7: 'foo'"):
        parse("  x + foo", SCALAR)


def test_very_long_input_is_refused_before_parsing() -> None:
    with pytest.raises(ExpressionError, match=f"at most {MAX_LENGTH}"):
        parse("x + " * 500 + "x", SCALAR)


@pytest.mark.parametrize(
    "text", ["-" * 80 + "x", "sin(" * 60 + "x" + ")" * 60, "(" * 300 + "x" + ")" * 300]
)
def test_deep_nesting_is_refused(text: str) -> None:
    with pytest.raises(ExpressionError, match="nest"):
        parse(text, SCALAR)


def test_nesting_within_the_limit_is_accepted() -> None:
    depth = MAX_DEPTH // 3
    expression = parse("sin(" * depth + "x" + ")" * depth, SCALAR)
    expected = 0.5
    for _ in range(depth):
        expected = np.sin(expected)
    assert expression({"x": 0.5}) == pytest.approx(expected, rel=1e-15)


def test_names_are_read_in_normal_form_nfkc() -> None:
    from solverq.solvers.expressions import normal_name

    assert normal_name("\uff47\uff41\uff4d\uff4d\uff41") == "gamma"
    assert normal_name("\U0001d465") == "x"
    rhs = parse("\uff4b * y", Variables(scalars=("x", "k"), vectors={"y": 1}))
    assert rhs({"x": 0.0, "k": 2.0, "y": np.array([3.0])}) == 6.0
