"""Explicit Euler methods as compiled C loops, generated from the parsed equations.

The whole loop over steps becomes one C function: the state stays in local variables, the
right-hand side is the C translation of the parsed expressions (`solverq.solvers.expressions`), and
each new state is written to the solution array. The function is compiled once per equation
(`solverq.solvers.native`); the constants are passed as an array, so changing their values needs no
new compilation. The arithmetic is that of the numpy steps (x_i = x0 + i dx, z + dx f, no
fused multiply-add), so both paths agree to the rounding of the math library.
"""

from __future__ import annotations

import ctypes

import numpy as np

from solverq.solvers.expressions import CName, c_expression
from solverq.solvers.native import load_library
from solverq.solvers.ode.problem import ODEProblem
from solverq.solvers.ode.stepping import Grid, Kernel

ARGUMENT_TYPES = (
    ctypes.c_int64,  # first step
    ctypes.c_int64,  # last step (excluded)
    ctypes.c_int64,  # batch size
    ctypes.c_double,  # x0
    ctypes.c_double,  # dx
    ctypes.c_void_p,  # constants, (number of constants, batch) doubles
    ctypes.c_void_p,  # states as planes, (order, steps + 1, components, batch) doubles
    ctypes.c_int64,  # doubles per plane: (steps + 1) components batch
)

TEMPLATE = """\
/* {title}, generated from the parsed right-hand side. */
#include <math.h>
#include <stdint.h>

void advance(int64_t first, int64_t last, int64_t batch, double x0, double dx,
             const double *c, double *z, int64_t plane)
{{
    const int64_t stride = {components} * batch;
    for (int64_t b = 0; b < batch; ++b) {{
{constants}
        double *row = z + first * stride + b;
{load}
        for (int64_t i = first; i < last; ++i) {{
            const double x = x0 + (double)i * dx;
{derivatives}
{update}
            row += stride;
{store}
        }}
    }}
}}
"""

UPDATES = {
    # y_{i+1} = y_i + dx y'_i first (it reads the old dy), then dy_{i+1} = dy_i + dx f_i
    "forward": ("y_{k} = y_{k} + dx * {derivative};", "dy_{k} = dy_{k} + dx * f_{k};"),
    # dy_{i+1} = dy_i + dx f_i first, then y_{i+1} = y_i + dx dy_{i+1}
    "cromer": ("dy_{k} = dy_{k} + dx * f_{k};", "y_{k} = y_{k} + dx * dy_{k};"),
}
TITLES = {"forward": "Forward Euler", "cromer": "Euler-Cromer"}


def kernel_source(problem: ODEProblem, method: str) -> str:
    """The C source of `method` ("forward" or "cromer") for the problem's equations."""
    m, order = problem.components, problem.order
    c_name = state_c_names(problem)
    places = list(zip(state_names(problem), state_places(problem), strict=True))
    derivatives = [
        f"const double f_{k} = {c_expression(equation.tree, equation.variables, c_name)};"
        for k, equation in enumerate(problem.equations)
    ]
    if order == 1:
        update = [f"y_{k} = y_{k} + dx * f_{k};" for k in range(m)]
    else:
        first, second = UPDATES[method]
        update = [first.format(k=k, derivative=f"dy_{k}") for k in range(m)]
        update += [second.format(k=k) for k in range(m)]
    return TEMPLATE.format(
        title=f"{TITLES[method]} for {m} component(s) of order {order}",
        components=m,
        constants=lines(
            8, [f"const double c_{j} = c[{j} * batch + b];" for j in range(len(problem.constants))]
        ),
        load=lines(8, [f"double {name} = row[{place}];" for name, place in places]),
        derivatives=lines(12, derivatives),
        update=lines(12, update),
        store=lines(12, [f"row[{place}] = {name};" for name, place in places]),
    )


def state_names(problem: ODEProblem) -> list[str]:
    """The C names of the state z: y_0 .. y_{m-1}, then dy_0 .. dy_{m-1} for order 2."""
    m = problem.components
    return [f"y_{k}" for k in range(m)] + [f"dy_{k}" for k in range(m)] * (problem.order == 2)


def state_places(problem: ODEProblem) -> list[str]:
    """Where each component of the state lies from its row of the states (`stepping`): its
    plane (y, then y'), then its column within the row, in units of doubles."""
    m = problem.components
    return [f"{s // m} * plane + {s % m} * batch" for s in range(len(state_names(problem)))]


def state_c_names(problem: ODEProblem) -> CName:
    """How the C source names the variables of the equations: x, y_k, dy_k and c_j for the
    j-th constant."""
    constant_index = {name: j for j, name in enumerate(problem.constants)}

    def c_name(name: str, index: int) -> str:
        if name == "x":
            return "x"
        if name in ("y", "dy"):
            return f"{name}_{index}"
        return f"c_{constant_index[name]}"

    return c_name


def native_kernel(problem: ODEProblem, method: str, grid: Grid) -> Kernel | None:
    """The compiled `method` for this problem on `grid`, or None when it cannot be compiled
    (or the problem is not written in the expression language)."""
    if not problem.equations or (method == "cromer" and problem.order != 2):
        return None
    library = load_library(kernel_source(problem, method))
    if library is None:
        return None
    advance = library.advance
    advance.argtypes = ARGUMENT_TYPES
    advance.restype = None
    batch = problem.batch_size or 1
    constants = constant_columns(problem)

    def kernel(first: int, last: int, z: np.ndarray) -> int:
        advance(*arguments(first, last, batch, grid, constants, z))
        return last

    return kernel


def arguments(
    first: int, last: int, batch: int, grid: Grid, constants: np.ndarray, z: np.ndarray
) -> tuple[int, int, int, float, float, int, int, int]:
    """The arguments of a compiled `advance`, in the order of `ARGUMENT_TYPES`."""
    if not (z.flags.c_contiguous and z.dtype == np.float64 and z.ndim == 4):
        raise ValueError("the states must be a C-contiguous float64 array of planes")
    plane = z[0].size
    return first, last, batch, grid.x0, grid.dx, constants.ctypes.data, z.ctypes.data, plane


def constant_columns(problem: ODEProblem) -> np.ndarray:
    """The constants as the C functions read them: (number of constants, batch) doubles."""
    constants = np.zeros((max(len(problem.constants), 1), problem.batch_size or 1))
    for row, value in zip(constants, problem.constants.values(), strict=False):
        row[:] = value
    return constants


def lines(indent: int, statements: list[str]) -> str:
    """C statements, one a line, indented by `indent` spaces."""
    return "\n".join(" " * indent + statement for statement in statements)
