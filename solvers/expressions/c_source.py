"""Translating a checked syntax tree to a C expression over math.h.

Every node of the language maps to one C construct: numbers are re-printed from their parsed
value (`repr` of a finite double is a valid C literal), names are replaced by the C names the
caller chooses, `**` becomes `pow`, a comparison `(double)(a < b)` (chains joined by `&&`) and a
function its math.h namesake. No text of the expression reaches the C source, so the source is
exactly as safe as the parser.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from solverq.solvers.expressions.parse import (
    FUNCTIONS,
    MATH_CONSTANTS,
    Variables,
    called_function,
    constant_number,
    subscript_target,
)

CName = Callable[[str, int], str]
"""The C name of a variable: `(name, index)`, with index 0 for a scalar or a bare vector."""

OPERATORS: dict[type[ast.AST], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
}


def c_expression(tree: ast.expr, variables: Variables, c_name: CName) -> str:
    """The C text of `tree`, fully parenthesised, naming variables through `c_name`."""
    if isinstance(tree, ast.Constant):
        return repr(float(constant_number(tree)))
    if isinstance(tree, ast.Name):
        if tree.id in MATH_CONSTANTS:
            return repr(MATH_CONSTANTS[tree.id])
        return c_name(tree.id, 0)
    if isinstance(tree, ast.Subscript):
        return c_name(*subscript_target(tree))
    if isinstance(tree, ast.BinOp):
        left = c_expression(tree.left, variables, c_name)
        right = c_expression(tree.right, variables, c_name)
        if isinstance(tree.op, ast.Pow):
            return f"pow({left}, {right})"
        return f"({left} {OPERATORS[type(tree.op)]} {right})"
    if isinstance(tree, ast.UnaryOp):
        operand = c_expression(tree.operand, variables, c_name)
        return f"(-{operand})" if isinstance(tree.op, ast.USub) else operand
    if isinstance(tree, ast.Compare):
        operands = [
            c_expression(node, variables, c_name) for node in (tree.left, *tree.comparators)
        ]
        tests = [
            f"({left} {OPERATORS[type(op)]} {right})"
            for op, left, right in zip(tree.ops, operands, operands[1:], strict=False)
        ]
        return f"((double)({' && '.join(tests)}))"
    if isinstance(tree, ast.Call):
        arguments = ", ".join(c_expression(node, variables, c_name) for node in tree.args)
        return f"{FUNCTIONS[called_function(tree)].c_name}({arguments})"
    raise TypeError(f"unchecked syntax node {type(tree).__name__}")
