"""Symbolic differentiation of a checked syntax tree: the partial derivative as a tree.

The derivative of a tree of the language is again a tree of the language, built by the rules
of calculus node by node (sum, product, quotient and chain rules; d(u^v) = v u^(v-1) du for an
exponent without the variable, u^v (dv log u + v du / u) otherwise), so the evaluator and the C
translation handle it like any parsed expression. Comparisons are piecewise constant and have
derivative 0; |u|' is sign(u) u', written with comparisons. Zero and one factors are folded
while building, so the derivative of `-k * y` with respect to y is the tree of `-k`.

Reference: the derivatives of the elementary functions as in M. Abramowitz, I. A. Stegun,
"Handbook of Mathematical Functions", Dover, 1965, sections 4.1-4.6.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from solverq.solvers.expressions.parse import (
    MATH_CONSTANTS,
    called_function,
    constant_number,
    subscript_target,
)

Variable = tuple[str, int]
"""A variable to differentiate with respect to: `(name, index)`, index 0 for a scalar or a bare
vector, as `c_expression` names them."""

ZERO = ast.Constant(0.0)
ONE = ast.Constant(1.0)


def derivative(tree: ast.expr, variable: Variable) -> ast.expr:
    """The tree of d(tree)/d(variable)."""
    if isinstance(tree, ast.Constant):
        return ZERO
    if isinstance(tree, ast.Name):
        is_variable = tree.id not in MATH_CONSTANTS and (tree.id, 0) == variable
        return ONE if is_variable else ZERO
    if isinstance(tree, ast.Subscript):
        return ONE if subscript_target(tree) == variable else ZERO
    if isinstance(tree, ast.UnaryOp):
        inner = derivative(tree.operand, variable)
        return negative(inner) if isinstance(tree.op, ast.USub) else inner
    if isinstance(tree, ast.Compare):
        return ZERO
    if isinstance(tree, ast.BinOp):
        return _binary(tree, variable)
    if isinstance(tree, ast.Call):
        arguments = tree.args
        parts = [derivative(argument, variable) for argument in arguments]
        if all(_is_zero(part) for part in parts):
            return ZERO
        return CHAIN_RULES[called_function(tree)](arguments, parts)
    raise TypeError(f"unchecked syntax node {type(tree).__name__}")


def _binary(tree: ast.BinOp, variable: Variable) -> ast.expr:
    u, v = tree.left, tree.right
    du, dv = derivative(u, variable), derivative(v, variable)
    if isinstance(tree.op, ast.Add):
        return add(du, dv)
    if isinstance(tree.op, ast.Sub):
        return subtract(du, dv)
    if isinstance(tree.op, ast.Mult):
        return add(multiply(du, v), multiply(u, dv))
    if isinstance(tree.op, ast.Div):
        return subtract(divide(du, v), divide(multiply(u, dv), multiply(v, v)))
    if _is_zero(dv):
        exponent = _number(v)
        lowered = ast.Constant(exponent - 1.0) if exponent is not None else subtract(v, ONE)
        return multiply(multiply(v, power(u, lowered)), du)
    log_u = call("log", u)
    return multiply(tree, add(multiply(dv, log_u), divide(multiply(v, du), u)))


def _sign(u: ast.expr) -> ast.expr:
    """sign(u) = (u > 0) - (u < 0)."""
    return subtract(
        ast.Compare(u, [ast.Gt()], [ZERO]),
        ast.Compare(u, [ast.Lt()], [ZERO]),
    )


def _one_minus_square(u: ast.expr) -> ast.expr:
    return subtract(ONE, multiply(u, u))


ChainRule = Callable[[list[ast.expr], list[ast.expr]], ast.expr]

CHAIN_RULES: dict[str, ChainRule] = {
    "sin": lambda a, d: multiply(call("cos", a[0]), d[0]),
    "cos": lambda a, d: negative(multiply(call("sin", a[0]), d[0])),
    "tan": lambda a, d: divide(d[0], multiply(call("cos", a[0]), call("cos", a[0]))),
    "arcsin": lambda a, d: divide(d[0], call("sqrt", _one_minus_square(a[0]))),
    "arccos": lambda a, d: negative(divide(d[0], call("sqrt", _one_minus_square(a[0])))),
    "arctan": lambda a, d: divide(d[0], add(ONE, multiply(a[0], a[0]))),
    "arctan2": lambda a, d: divide(
        subtract(multiply(a[1], d[0]), multiply(a[0], d[1])),
        add(multiply(a[0], a[0]), multiply(a[1], a[1])),
    ),
    "sinh": lambda a, d: multiply(call("cosh", a[0]), d[0]),
    "cosh": lambda a, d: multiply(call("sinh", a[0]), d[0]),
    "tanh": lambda a, d: multiply(_one_minus_square(call("tanh", a[0])), d[0]),
    "arcsinh": lambda a, d: divide(d[0], call("sqrt", add(multiply(a[0], a[0]), ONE))),
    "arccosh": lambda a, d: divide(
        d[0], multiply(call("sqrt", subtract(a[0], ONE)), call("sqrt", add(a[0], ONE)))
    ),
    "arctanh": lambda a, d: divide(d[0], _one_minus_square(a[0])),
    "exp": lambda a, d: multiply(call("exp", a[0]), d[0]),
    "expm1": lambda a, d: multiply(call("exp", a[0]), d[0]),
    "log": lambda a, d: divide(d[0], a[0]),
    "log10": lambda a, d: divide(d[0], multiply(a[0], call("log", ast.Constant(10.0)))),
    "log2": lambda a, d: divide(d[0], multiply(a[0], call("log", ast.Constant(2.0)))),
    "log1p": lambda a, d: divide(d[0], add(ONE, a[0])),
    "sqrt": lambda a, d: divide(d[0], multiply(ast.Constant(2.0), call("sqrt", a[0]))),
    "abs": lambda a, d: multiply(_sign(a[0]), d[0]),
    "hypot": lambda a, d: divide(
        add(multiply(a[0], d[0]), multiply(a[1], d[1])), call("hypot", a[0], a[1])
    ),
}


def call(function: str, *arguments: ast.expr) -> ast.expr:
    return ast.Call(ast.Name(function), list(arguments), [])


def add(u: ast.expr, v: ast.expr) -> ast.expr:
    if _is_zero(u):
        return v
    if _is_zero(v):
        return u
    return ast.BinOp(u, ast.Add(), v)


def subtract(u: ast.expr, v: ast.expr) -> ast.expr:
    if _is_zero(v):
        return u
    if _is_zero(u):
        return negative(v)
    return ast.BinOp(u, ast.Sub(), v)


def negative(u: ast.expr) -> ast.expr:
    if _is_zero(u):
        return ZERO
    if isinstance(u, ast.UnaryOp) and isinstance(u.op, ast.USub):
        return u.operand
    return ast.UnaryOp(ast.USub(), u)


def multiply(u: ast.expr, v: ast.expr) -> ast.expr:
    if _is_zero(u) or _is_zero(v):
        return ZERO
    if _number(u) == 1.0:
        return v
    if _number(v) == 1.0:
        return u
    return ast.BinOp(u, ast.Mult(), v)


def divide(u: ast.expr, v: ast.expr) -> ast.expr:
    if _is_zero(u):
        return ZERO
    if _number(v) == 1.0:
        return u
    return ast.BinOp(u, ast.Div(), v)


def power(u: ast.expr, v: ast.expr) -> ast.expr:
    if _number(v) == 1.0:
        return u
    return ast.BinOp(u, ast.Pow(), v)


def _number(tree: ast.expr) -> float | None:
    """The value of a number literal, else None."""
    return float(constant_number(tree)) if isinstance(tree, ast.Constant) else None


def _is_zero(tree: ast.expr) -> bool:
    return _number(tree) == 0.0
