"""The right-hand side's Jacobians from its parsed derivatives against autograd's, and which
equations are affine in y and y'."""

from dataclasses import replace

import numpy as np
import pytest

from solverq.solvers.nn_ode.linearisation import linear_in_y, linearised_rhs
from solverq.solvers.ode.equations import expression_problem
from solverq.solvers.ode.problem import ODEProblem


def written(rhs: list[str], order: int, **constants: float) -> ODEProblem:
    m = len(rhs)
    return expression_problem(
        rhs,
        order=order,
        x0=0.0,
        x1=3.0,
        y0=np.ones(m),
        dy0=np.zeros(m) if order == 2 else None,
        constants=constants,
    )


CASES = {
    "system": (["cos(x) + y[0]**2 + y[1] - (1 + x**2)", "2*x - (1 + x**2)*sin(x) + y[0]*y[1]"], 1),
    "van der pol": (["mu * (1 - y**2) * dy - y"], 2),
    "pendulum": (["-k * sin(y) + abs(dy) * dy / 10"], 2),
    "coupled": (["y[1] * dy[0] - exp(y[0]) / (1 + x)", "dy[1] ** 3 - sqrt(2 + y[0] ** 2)"], 2),
}


@pytest.mark.parametrize("name", CASES)
def test_parsed_jacobians_agree_with_autograd(name: str) -> None:
    rhs, order = CASES[name]
    problem = written(rhs, order, mu=1.5, k=4.0)
    rng = np.random.default_rng(3)
    x = np.linspace(0.0, 3.0, 17)
    y = [rng.normal(size=(len(rhs), len(x))) for _ in range(order)]
    f, jacobians = linearised_rhs(problem, x, y)
    f_ref, jacobians_ref = linearised_rhs(replace(problem, equations=()), x, y)
    np.testing.assert_allclose(f, f_ref, rtol=1e-14)
    assert len(jacobians) == order
    for found, reference in zip(jacobians, jacobians_ref, strict=True):
        assert found.shape == (len(rhs), len(rhs), len(x))
        np.testing.assert_allclose(found, reference, rtol=1e-12, atol=1e-14)


def test_equations_affine_in_y_are_told_apart() -> None:
    assert linear_in_y(written(["-exp(-x/5) * cos(x) / 5 - dy / 5 - k * y"], 2, k=1.0))
    assert linear_in_y(written(["y[1]", "-sin(x) * y[0] + x**2"], 1))
    assert not linear_in_y(written(["(1 - y**2) * dy - y"], 2))
    assert not linear_in_y(written(["y[1]", "-y[0] * y[1]"], 1))
    assert not linear_in_y(written(["-sin(y)"], 2))
    callable_rhs = replace(written(["-y"], 1), equations=())
    assert not linear_in_y(callable_rhs)
