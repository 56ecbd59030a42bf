"""Symbolic derivatives of parsed expressions agree with autograd's, for every function and
operator of the language, and fold away what vanishes."""

import ast

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import elementwise_grad

from solverq.solvers.expressions import FUNCTIONS, Variables, parse
from solverq.solvers.expressions.derivative import derivative
from solverq.solvers.expressions.evaluate import evaluator

VARIABLES = Variables(scalars=("x", "a"), vectors={"v": 2})
POINTS = np.linspace(0.15, 0.85, 9)
"""Values of v[0] inside every function's domain once shifted as below."""
ARGUMENTS = {"arccosh": "v[0] + 1.5", "log": "v[0] * a", "abs": "v[0] - 0.5"}


def symbolic_and_autograd(text: str) -> tuple[np.ndarray, np.ndarray]:
    """d/dv[0] of `text` at POINTS, symbolically and by autograd."""
    expression = parse(text, VARIABLES)
    tree = derivative(expression.tree, ("v", 0))
    values = {"x": 0.3, "a": 1.7, "v": np.stack([POINTS, np.full_like(POINTS, 0.4)])}
    symbolic = np.broadcast_to(evaluator(tree, VARIABLES)(values), POINTS.shape)

    def along_v0(first: np.ndarray) -> np.ndarray:
        return expression({**values, "v": anp.stack([first, values["v"][1]])})

    return symbolic, elementwise_grad(along_v0)(POINTS)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_every_function_differentiates_like_autograd(name: str) -> None:
    inner = ARGUMENTS.get(name, "v[0] * a / 2")
    arguments = [inner, "v[1] + v[0] ** 2"][: FUNCTIONS[name].arity]
    symbolic, reference = symbolic_and_autograd(f"{name}({', '.join(arguments)})")
    np.testing.assert_allclose(symbolic, reference, rtol=1e-12)


@pytest.mark.parametrize(
    "text",
    [
        "3 * v[0] ** 3 - v[0] / (1 + v[1] * v[0]) + a",
        "-(v[0] * x) + +v[0]",
        "v[0] ** v[1] + 2 ** v[0] + v[0] ** v[0]",
        "(v[0] > 0.5) * v[0] ** 2 + (v[0] <= 0.5) * sin(pi * v[0])",
        "exp(-v[0] ** 2 / 2) * cos(e * x) / sqrt(2 * pi)",
    ],
)
def test_operators_and_compositions_differentiate_like_autograd(text: str) -> None:
    symbolic, reference = symbolic_and_autograd(text)
    np.testing.assert_allclose(symbolic, reference, rtol=1e-12)


def test_vanishing_terms_are_folded_away() -> None:
    variables = Variables(scalars=("x", "k", "gamma"), vectors={"y": 1})
    tree = derivative(parse("-k * y + sin(x) * gamma", variables).tree, ("y", 0))
    assert ast.unparse(tree) == "-k"
    assert ast.unparse(derivative(parse("y ** 2", variables).tree, ("y", 0))) == "2 * y"
    assert derivative(parse("cos(x) * (y > 1)", variables).tree, ("y", 0)).value == 0.0
