"""Parsing an expression against the whitelist of the language.

The text is parsed with Python's own parser (`ast.parse` in "eval" mode, which only builds a
syntax tree and runs nothing), then every node of the tree is checked against the whitelist:
numbers, the arithmetic operators, comparisons, the known names, `v[k]` subscripts of the vector
variables and calls of the functions in `FUNCTIONS`. Everything else is refused with an
`ExpressionError` that names the offending part and its column.
"""

from __future__ import annotations

import ast
import math
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_LENGTH = 2000
MAX_DEPTH = 50
MAX_SHOWN = 40

MATH_CONSTANTS = {"pi": math.pi, "e": math.e}


@dataclass(frozen=True)
class Function:
    """An elementwise function of the language: its C name in math.h and its arity."""

    c_name: str
    arity: int = 1


FUNCTIONS: dict[str, Function] = {
    "sin": Function("sin"),
    "cos": Function("cos"),
    "tan": Function("tan"),
    "arcsin": Function("asin"),
    "arccos": Function("acos"),
    "arctan": Function("atan"),
    "arctan2": Function("atan2", 2),
    "sinh": Function("sinh"),
    "cosh": Function("cosh"),
    "tanh": Function("tanh"),
    "arcsinh": Function("asinh"),
    "arccosh": Function("acosh"),
    "arctanh": Function("atanh"),
    "exp": Function("exp"),
    "expm1": Function("expm1"),
    "log": Function("log"),
    "log10": Function("log10"),
    "log2": Function("log2"),
    "log1p": Function("log1p"),
    "sqrt": Function("sqrt"),
    "abs": Function("fabs"),
    "hypot": Function("hypot", 2),
}

ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
SIGNS = (ast.UAdd, ast.USub)
COMPARISONS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)

REFUSED: dict[type[ast.AST], str] = {
    ast.Attribute: "an attribute",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.BoolOp: "'and'/'or' (multiply 0/1 comparisons instead)",
    ast.IfExp: "a conditional expression (use a 0/1 comparison as a switch)",
    ast.NamedExpr: "an assignment expression",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dictionary",
    ast.JoinedStr: "an f-string",
    ast.Starred: "a starred argument",
    ast.Slice: "a slice",
    ast.Await: "an await",
    ast.Yield: "a yield",
    ast.YieldFrom: "a yield",
}
OPERATOR_SYMBOLS: dict[type[ast.AST], str] = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Not: "not",
    ast.Invert: "~",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}


def normal_name(name: str) -> str:
    """`name` in Unicode normal form NFKC, as Python's parser reads identifiers (PEP 3131):
    the fullwidth x (U+FF58) and the mathematical italic x (U+1D465) are both `x`. Every name
    given beside an expression (the constants) is read so before it is checked, so that a name
    means one thing everywhere."""
    return unicodedata.normalize("NFKC", name)


class ExpressionError(ValueError):
    """An expression outside the language; the message points at the offending part."""


@dataclass(frozen=True)
class Variables:
    """The names an expression may use.

    `scalars` stand for a number (or an array of values, evaluated elementwise); `vectors` stand
    for vectors indexed as `name[k]`, with their lengths. A vector of length 1 may also be used
    bare: `y` is `y[0]`.
    """

    scalars: tuple[str, ...] = ()
    vectors: Mapping[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """The known names, as a message lists them."""
        names = [*self.scalars]
        for name, length in self.vectors.items():
            names.append(name if length == 1 else f"{name}[0]..{name}[{length - 1}]")
        return ", ".join([*names, *MATH_CONSTANTS])


@dataclass(frozen=True, eq=False)
class Expression:
    """A parsed, checked expression: its text, its syntax tree and the names it was checked
    against. Call it with a mapping of variable values to evaluate it (see `evaluate.py`)."""

    text: str
    tree: ast.expr
    variables: Variables
    evaluate: Callable[[Mapping[str, Any]], Any] = field(repr=False)

    def __call__(self, values: Mapping[str, Any]) -> Any:
        return self.evaluate(values)


def parse_tree(text: str, variables: Variables) -> ast.expr:
    """The checked syntax tree of `text`, or `ExpressionError`."""
    if not isinstance(text, str):
        raise ExpressionError(f"must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"is {len(text)} characters long; at most {MAX_LENGTH} are allowed")
    if not text.strip():
        raise ExpressionError("is empty")
    indent = len(text) - len(text.lstrip())
    source = text.strip()
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as error:
        column = (error.offset or 1) + indent
        raise ExpressionError(
            f"is not a valid expression: {error.msg} at column {column}"
        ) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("is nested too deeply or malformed") from None
    checker = _Checker(source, indent, variables)
    checker.check_depth(tree)
    checker.check(tree)
    return tree


def constant_number(node: ast.Constant) -> int | float:
    """The number of a constant of a checked tree."""
    if isinstance(node.value, bool) or not isinstance(node.value, int | float):
        raise TypeError(f"unchecked constant {node.value!r}")
    return node.value


def subscript_target(node: ast.Subscript) -> tuple[str, int]:
    """The vector and the index of a subscript ``y[k]`` of a checked tree."""
    index = node.slice
    if not (
        isinstance(node.value, ast.Name)
        and isinstance(index, ast.Constant)
        and type(index.value) is int
    ):
        raise TypeError("unchecked subscript")
    return node.value.id, index.value


def called_function(node: ast.Call) -> str:
    """The name of the function a call of a checked tree calls."""
    if not isinstance(node.func, ast.Name):
        raise TypeError("unchecked call")
    return node.func.id


class _Checker:
    """Checks every node of a tree against the whitelist, naming the first it refuses."""

    def __init__(self, source: str, indent: int, variables: Variables) -> None:
        self.source = source
        self.indent = indent
        self.variables = variables

    def check_depth(self, tree: ast.expr) -> None:
        pending: list[tuple[ast.AST, int]] = [(tree, 1)]
        while pending:
            node, depth = pending.pop()
            if depth > MAX_DEPTH:
                raise self.refuse(node, f"nesting deeper than {MAX_DEPTH} levels")
            pending.extend((child, depth + 1) for child in ast.iter_child_nodes(node))

    def check(self, node: ast.AST) -> None:
        if isinstance(node, ast.Constant):
            self.check_number(node)
        elif isinstance(node, ast.Name):
            self.check_name(node)
        elif isinstance(node, ast.Subscript):
            self.check_subscript(node)
        elif isinstance(node, ast.BinOp):
            self.check_operator(node, node.op, ARITHMETIC)
            self.check(node.left)
            self.check(node.right)
        elif isinstance(node, ast.UnaryOp):
            self.check_operator(node, node.op, SIGNS)
            self.check(node.operand)
        elif isinstance(node, ast.Compare):
            for op in node.ops:
                self.check_operator(node, op, COMPARISONS)
            for operand in (node.left, *node.comparators):
                self.check(operand)
        elif isinstance(node, ast.Call):
            self.check_call(node)
        else:
            raise self.refuse(node, REFUSED.get(type(node), type(node).__name__))

    def check_number(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = {str: "a string", bytes: "a string", complex: "a complex number"}
            raise self.refuse(node, kind.get(type(value), repr(value)))
        try:
            finite = math.isfinite(float(value))
        except OverflowError:
            finite = False
        if not finite:
            raise self.refuse(node, "a number too large for a double")

    def check_name(self, node: ast.Name) -> None:
        name = node.id
        vectors = self.variables.vectors
        if name in self.variables.scalars or name in MATH_CONSTANTS:
            return
        if name in vectors:
            if vectors[name] == 1:
                return
            raise ExpressionError(
                f"uses '{name}' bare{self.where(node)}, but it has {vectors[name]} components "
                f"here: write {name}[0] to {name}[{vectors[name] - 1}]"
            )
        if name in FUNCTIONS:
            raise ExpressionError(
                f"uses the function '{name}' without calling it{self.where(node)}"
            )
        raise ExpressionError(
            f"uses unknown name '{name}'{self.where(node)} (known names: "
            f"{self.variables.describe()})"
        )

    def check_subscript(self, node: ast.Subscript) -> None:
        vectors = self.variables.vectors
        target = node.value.id if isinstance(node.value, ast.Name) else None
        if target is None or target not in vectors:
            allowed = ", ".join(f"{name}[k]" for name in vectors) or "none here"
            raise self.refuse(node, f"a subscript (only {allowed})")
        index = node.slice
        length = vectors[target]
        if not (
            isinstance(index, ast.Constant)
            and type(index.value) is int
            and 0 <= index.value < length
        ):
            raise self.refuse(node, f"a subscript (the index must be an integer 0 to {length - 1})")

    def check_operator(self, node: ast.AST, op: ast.AST, allowed: tuple[type, ...]) -> None:
        if not isinstance(op, allowed):
            symbol = OPERATOR_SYMBOLS.get(type(op), type(op).__name__)
            raise self.refuse(node, f"the operator '{symbol}'")

    def check_call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute):
            raise self.refuse(node.func, "an attribute")
        if not isinstance(node.func, ast.Name):
            raise self.refuse(node, "a call of something that is not a function name")
        name = node.func.id
        if name not in FUNCTIONS:
            raise ExpressionError(
                f"calls unknown function '{name}'{self.where(node)} (functions: "
                f"{', '.join(FUNCTIONS)})"
            )
        if node.keywords:
            raise self.refuse(node, "a keyword argument")
        arity = FUNCTIONS[name].arity
        if len(node.args) != arity:
            raise ExpressionError(
                f"calls '{name}' with {len(node.args)} argument(s){self.where(node)}; "
                f"it takes {arity}"
            )
        for argument in node.args:
            self.check(argument)

    def refuse(self, node: ast.AST, what: str) -> ExpressionError:
        return ExpressionError(f"holds {what}, which is not allowed{self.where(node)}")

    def where(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.source, node) or ""
        if len(segment) > MAX_SHOWN:
            segment = segment[: MAX_SHOWN - 3] + "..."
        line = getattr(node, "lineno", 1)
        column = getattr(node, "col_offset", 0) + 1 + (self.indent if line == 1 else 0)
        place = f"column {column}" if line == 1 else f"line {line}, column {column}"
        return f" at {place}: '{segment}'" if segment else f" at {place}"
