"""Backward Euler as a compiled C loop: Newton's method per step, with a small dense solve.

The C function runs the iteration of `euler_backward` (limits and stopping rule in `newton`)
step by step, for each problem of a batch
in turn: from the forward Euler prediction w = z_i + dx F(x_i, z_i), Newton steps on
G(w) = w - z_i - dx F(x_{i+1}, w) with the matrix I - dx J, J = dF/dz at the latest w, until
|G(w)| <= TOLERANCE (|w| + |z_i| + |dx F|) (maxima over the components). J is generated from the
symbolic Jacobian of the parsed equations (`jacobian.symbolic_jacobian`); the matrix is
factorised by Gaussian elimination with partial pivoting (Golub, Van Loan, "Matrix
Computations", 4th ed., algorithm 3.4.1) and its factors reused from step to step while the
iteration converges within STALE_ITERATIONS, as the numpy path does. F(x_{i+1}, z_{i+1}) of the
converged iterate is the slope of the next prediction, so a step that converges at once costs
two evaluations of F. A step whose iteration fails (a non-finite residual, a singular matrix, or
no convergence in NEWTON_ITERATIONS) stops the loop, and the function returns its index.
"""

from __future__ import annotations

import ctypes

import numpy as np

from solverq.solvers.expressions import c_expression
from solverq.solvers.native import load_library
from solverq.solvers.ode.euler_native import (
    ARGUMENT_TYPES,
    arguments,
    constant_columns,
    lines,
    state_c_names,
    state_names,
)
from solverq.solvers.ode.jacobian import symbolic_jacobian
from solverq.solvers.ode.newton import NEWTON_ITERATIONS, STALE_ITERATIONS, TOLERANCE
from solverq.solvers.ode.problem import ODEProblem
from solverq.solvers.ode.stepping import Grid, Kernel

TEMPLATE = """\
/* Backward Euler with Newton iterations for {size} state component(s), generated from the parsed
 * right-hand side and its symbolic Jacobian. */
#include <math.h>
#include <stdint.h>

#define S {size}
#define COMPONENTS {components}

static void slope(double x, const double *z, const double *c, double *F)
{{
{unpack}
{slope}
}}

static void jacobian(double x, const double *z, const double *c, double J[S][S])
{{
{unpack}
{jacobian}
}}

/* M = P L U in place, by Gaussian elimination with partial pivoting; 0 when singular. */
static int factor(double M[S][S], int pivot[S])
{{
    for (int k = 0; k < S; ++k) {{
        int p = k;
        for (int r = k + 1; r < S; ++r)
            if (fabs(M[r][k]) > fabs(M[p][k]))
                p = r;
        if (!(M[p][k] != 0.0))
            return 0;
        pivot[k] = p;
        if (p != k)
            for (int j = 0; j < S; ++j) {{
                const double t = M[k][j];
                M[k][j] = M[p][j];
                M[p][j] = t;
            }}
        for (int r = k + 1; r < S; ++r) {{
            M[r][k] /= M[k][k];
            for (int j = k + 1; j < S; ++j)
                M[r][j] -= M[r][k] * M[k][j];
        }}
    }}
    return 1;
}}

/* b = M^-1 b from the factors of `factor`. */
static void solve(double M[S][S], const int pivot[S], double *b)
{{
    for (int k = 0; k < S; ++k) {{
        const double t = b[pivot[k]];
        b[pivot[k]] = b[k];
        b[k] = t;
        for (int r = k + 1; r < S; ++r)
            b[r] -= M[r][k] * t;
    }}
    for (int k = S - 1; k >= 0; --k) {{
        for (int j = k + 1; j < S; ++j)
            b[k] -= M[k][j] * b[j];
        b[k] /= M[k][k];
    }}
}}

static double max_abs(const double *v)
{{
    double m = 0.0;
    for (int s = 0; s < S; ++s)
        m = fmax(m, fabs(v[s]));
    return m;
}}

int64_t advance(int64_t first, int64_t last, int64_t batch, double x0, double dx,
                const double *constants, double *states, int64_t plane)
{{
    /* component s of state i of problem b: states[i * stride + place[s] + b] */
    const int64_t stride = COMPONENTS * batch;
    int64_t place[S];
    for (int s = 0; s < S; ++s)
        place[s] = (s / COMPONENTS) * plane + (s % COMPONENTS) * batch;
    int64_t reached = last;
    for (int64_t b = 0; b < batch; ++b) {{
        double c[{constant_count}], z[S], w[S], F[S], G[S], M[S][S], J[S][S];
        int pivot[S], factored = 0;
        for (int j = 0; j < {constant_count}; ++j)
            c[j] = constants[j * batch + b];
        for (int s = 0; s < S; ++s)
            z[s] = states[first * stride + place[s] + b];
        slope(x0 + (double)first * dx, z, c, F);
        for (int64_t i = first; i < reached; ++i) {{
            const double x_next = x0 + (double)(i + 1) * dx;
            int converged = 0, fresh = 0;
            for (int s = 0; s < S; ++s)
                w[s] = z[s] + dx * F[s];
            for (int iteration = 0; iteration < {iterations}; ++iteration) {{
                slope(x_next, w, c, F);
                int finite = 1;
                for (int s = 0; s < S; ++s) {{
                    G[s] = w[s] - z[s] - dx * F[s];
                    finite = finite && isfinite(G[s]);
                }}
                if (!finite)
                    break;
                double increment = 0.0;
                for (int s = 0; s < S; ++s)
                    increment = fmax(increment, fabs(dx * F[s]));
                if (max_abs(G) <= {tolerance} * (max_abs(w) + max_abs(z) + increment)) {{
                    converged = 1;
                    break;
                }}
                if (!fresh && (!factored || iteration >= {stale})) {{
                    jacobian(x_next, w, c, J);
                    for (int r = 0; r < S; ++r)
                        for (int j = 0; j < S; ++j)
                            M[r][j] = (double)(r == j) - dx * J[r][j];
                    factored = factor(M, pivot);
                    fresh = 1;
                    if (!factored)
                        break;
                }}
                solve(M, pivot, G);
                for (int s = 0; s < S; ++s)
                    w[s] = w[s] - G[s];
            }}
            if (!converged) {{
                reached = i;
                break;
            }}
            for (int s = 0; s < S; ++s) {{
                z[s] = w[s];
                states[(i + 1) * stride + place[s] + b] = w[s];
            }}
        }}
    }}
    return reached;
}}
"""


def kernel_source(problem: ODEProblem) -> str:
    """The C source of backward Euler for the problem's equations."""
    m = problem.components
    c_name = state_c_names(problem)
    state = state_names(problem)
    unpack = [f"const double {name} = z[{s}];" for s, name in enumerate(state)]
    unpack += [f"const double c_{j} = c[{j}];" for j in range(len(problem.constants))]
    unpack += ["(void)x;", *(f"(void){name};" for name in state)]
    unpack += [f"(void)c_{j};" for j in range(len(problem.constants))]
    derivatives = [
        c_expression(equation.tree, equation.variables, c_name) for equation in problem.equations
    ]
    slopes = [f"F[{k}] = dy_{k};" for k in range(m)] if problem.order == 2 else []
    offset = m if problem.order == 2 else 0
    slopes += [f"F[{offset + k}] = {value};" for k, value in enumerate(derivatives)]
    variables = problem.equations[0].variables
    entries = [
        f"J[{i}][{j}] = {c_expression(tree, variables, c_name)};"
        for i, row in enumerate(symbolic_jacobian(problem))
        for j, tree in enumerate(row)
    ]
    return TEMPLATE.format(
        size=len(state),
        components=m,
        constant_count=max(len(problem.constants), 1),
        unpack=lines(4, unpack),
        slope=lines(4, slopes),
        jacobian=lines(4, entries),
        iterations=NEWTON_ITERATIONS,
        stale=STALE_ITERATIONS,
        tolerance=repr(TOLERANCE),
    )


def native_backward_kernel(problem: ODEProblem, grid: Grid) -> Kernel | None:
    """Compiled backward Euler for this problem on `grid`, or None when it cannot be compiled
    (or the problem is not written in the expression language)."""
    if not problem.equations:
        return None
    library = load_library(kernel_source(problem))
    if library is None:
        return None
    advance = library.advance
    advance.argtypes = ARGUMENT_TYPES
    advance.restype = ctypes.c_int64
    batch = problem.batch_size or 1
    constants = constant_columns(problem)

    def kernel(first: int, last: int, z: np.ndarray) -> int:
        return advance(*arguments(first, last, batch, grid, constants, z))

    return kernel
