"""Evaluating a checked syntax tree with autograd.numpy, without `eval`.

The tree becomes a tree of closures, one per node, each calling an autograd.numpy function (or
the operator it overloads) on the values of its children. The result works elementwise on numpy
arrays and scalars with numpy's semantics (division by zero gives inf, not an exception), and
autograd can differentiate it. Comparisons give 1.0 when true and 0.0 when false.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

import autograd.numpy as anp
import numpy as np

from solverq.solvers.expressions.parse import (
    MATH_CONSTANTS,
    Variables,
    called_function,
    constant_number,
    subscript_target,
)

Evaluator = Callable[[Mapping[str, Any]], Any]

ARITHMETIC: dict[type[ast.AST], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
COMPARISONS: dict[type[ast.AST], Callable[[Any, Any], Any]] = {
    ast.Lt: anp.less,
    ast.LtE: anp.less_equal,
    ast.Gt: anp.greater,
    ast.GtE: anp.greater_equal,
    ast.Eq: anp.equal,
    ast.NotEq: anp.not_equal,
}


def evaluator(tree: ast.expr, variables: Variables) -> Evaluator:
    """A function of the variables' values (a mapping by name) that evaluates `tree`."""
    if isinstance(tree, ast.Constant):
        number = np.float64(constant_number(tree))
        return lambda values: number
    if isinstance(tree, ast.Name):
        return _name(tree.id, variables)
    if isinstance(tree, ast.Subscript):
        name, index = subscript_target(tree)
        return lambda values: values[name][index]
    if isinstance(tree, ast.BinOp):
        combine = ARITHMETIC[type(tree.op)]
        left, right = evaluator(tree.left, variables), evaluator(tree.right, variables)
        return lambda values: combine(left(values), right(values))
    if isinstance(tree, ast.UnaryOp):
        operand = evaluator(tree.operand, variables)
        if isinstance(tree.op, ast.USub):
            return lambda values: -operand(values)
        return operand
    if isinstance(tree, ast.Compare):
        return _comparison(tree, variables)
    if isinstance(tree, ast.Call):
        function = getattr(anp, called_function(tree))
        arguments = [evaluator(argument, variables) for argument in tree.args]
        return lambda values: function(*[argument(values) for argument in arguments])
    raise TypeError(f"unchecked syntax node {type(tree).__name__}")


def _name(name: str, variables: Variables) -> Evaluator:
    if name in MATH_CONSTANTS:
        number = np.float64(MATH_CONSTANTS[name])
        return lambda values: number
    if name in variables.vectors:
        return lambda values: values[name][0]
    return lambda values: values[name]


def _comparison(tree: ast.Compare, variables: Variables) -> Evaluator:
    operands = [evaluator(node, variables) for node in (tree.left, *tree.comparators)]
    tests = [COMPARISONS[type(op)] for op in tree.ops]

    def compare(values: Mapping[str, Any]) -> Any:
        evaluated = [operand(values) for operand in operands]
        outcome = True
        for test, left, right in zip(tests, evaluated, evaluated[1:], strict=False):
            outcome = anp.logical_and(outcome, test(left, right))
        return anp.where(outcome, 1.0, 0.0)

    return compare
