"""A small, safe expression language for right-hand sides and exact solutions of ODEs.

The language: numbers, `+ - * / **`, unary `+ -`, parentheses, comparisons `< <= > >= == !=`
(1.0 when true, 0.0 when false, so `(x > 1) * 2` is a switch; chains such as `0 < x < 1` are
allowed), the names given by `Variables` (scalars such as `x` and the constants, vectors indexed
as `y[k]` with an integer literal k), `pi`, `e`, and the elementwise functions of `FUNCTIONS`
(numpy's names: sin, cos, tan, arcsin, arccos, arctan, arctan2, sinh, cosh, tanh, arcsinh,
arccosh, arctanh, exp, expm1, log, log10, log2, log1p, sqrt, abs, hypot).

    >>> import numpy as np
    >>> rhs = parse("-gamma * y", Variables(scalars=("x", "gamma"), vectors={"y": 1}))
    >>> float(rhs({"x": 0.0, "gamma": 2.0, "y": np.array([3.0])}))
    -6.0

Nothing is ever passed to `eval`: the text is parsed into a syntax tree, checked node by node
against the whitelist (`parse.py`), and the tree is turned into closures over autograd.numpy
(`evaluate.py`) or into C (`c_source.py`).
"""

from __future__ import annotations

from solverq.solvers.expressions.c_source import CName, c_expression
from solverq.solvers.expressions.evaluate import evaluator
from solverq.solvers.expressions.parse import (
    FUNCTIONS,
    MATH_CONSTANTS,
    MAX_DEPTH,
    MAX_LENGTH,
    Expression,
    ExpressionError,
    Variables,
    normal_name,
    parse_tree,
)

__all__ = [
    "FUNCTIONS",
    "MATH_CONSTANTS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "CName",
    "Expression",
    "ExpressionError",
    "Variables",
    "c_expression",
    "normal_name",
    "parse",
]


def parse(text: str, variables: Variables) -> Expression:
    """The expression `text` over `variables`, or `ExpressionError` saying what is wrong."""
    tree = parse_tree(text, variables)
    return Expression(text, tree, variables, evaluator(tree, variables))
