"""The optimisers on functions with known minima and hand-computed first steps."""

import numpy as np
import pytest

from solverq.solvers.nn_ode.optimizers import Stop, StoppingRule, adam, bfgs, gradient_descent

CURVATURES = np.array([1.0, 4.0, 9.0])


def quadratic(p: np.ndarray) -> tuple[float, np.ndarray]:
    """½ Σ a_i p_i², minimal (0) at the origin."""
    return 0.5 * float(np.sum(CURVATURES * p**2)), CURVATURES * p


def rosenbrock(p: np.ndarray) -> tuple[float, np.ndarray]:
    """(1 - a)² + 100 (b - a²)², minimal (0) at (1, 1)."""
    a, b = p
    value = (1 - a) ** 2 + 100 * (b - a * a) ** 2
    return value, np.array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])


def test_bfgs_stops_once_the_loss_reaches_tol() -> None:
    seen: list[tuple[int, float]] = []
    rule = StoppingRule(1000, tol=1e-16)
    result = bfgs(rosenbrock, np.array([-1.2, 1.0]), rule, lambda k, loss: seen.append((k, loss)))
    assert result.loss <= 1e-16 and result.stop is Stop.TARGET
    np.testing.assert_allclose(result.parameters, [1.0, 1.0], atol=1e-7)
    assert result.history[0] == rosenbrock(np.array([-1.2, 1.0]))[0]
    assert len(result.history) == result.iterations + 1
    assert result.history[-2] > 1e-16  # it stopped at the first iteration below tol
    assert [k for k, _ in seen] == list(range(1, result.iterations + 1))


def test_bfgs_stops_at_the_iteration_limit() -> None:
    result = bfgs(rosenbrock, np.array([-1.2, 1.0]), StoppingRule(5), lambda k, loss: None)
    assert result.iterations == 5 and result.loss > 1e-16 and result.stop is Stop.BUDGET


def test_bfgs_does_nothing_when_the_start_meets_tol() -> None:
    result = bfgs(quadratic, np.zeros(3), StoppingRule(100, tol=1e-12), lambda k, loss: None)
    assert result.iterations == 0 and result.loss == 0.0 and result.stop is Stop.TARGET


def test_first_steps_follow_the_update_rules() -> None:
    p0 = np.array([1.0, -2.0, 0.5])
    gradient = quadratic(p0)[1]
    one = StoppingRule(1)
    step = gradient_descent(quadratic, p0, one, lambda k, loss: None, learning_rate=0.1)
    assert step.history[1] == pytest.approx(quadratic(p0 - 0.1 * gradient)[0], rel=1e-15)
    # Adam's first step is the learning rate along -sign(g): m̂ = g and v̂ = g².
    step = adam(quadratic, p0, one, lambda k, loss: None, learning_rate=0.1)
    expected = p0 - 0.1 * gradient / (np.abs(gradient) + 1e-8)
    assert step.history[1] == pytest.approx(quadratic(expected)[0], rel=1e-12)


@pytest.mark.parametrize(("method", "learning_rate"), [(gradient_descent, 0.2), (adam, 0.05)])
def test_first_order_methods_reach_tol(method, learning_rate: float) -> None:
    rule = StoppingRule(5000, tol=1e-12)
    result = method(
        quadratic, np.array([1.0, -2.0, 0.5]), rule, lambda k, loss: None, learning_rate
    )
    assert result.loss <= 1e-12 < result.history[-2]
    np.testing.assert_allclose(result.parameters, 0.0, atol=1e-5)


def test_gradient_descent_with_too_large_a_step_diverges_and_keeps_the_best() -> None:
    p0 = np.array([1.0, -2.0, 0.5])
    rule = StoppingRule(10_000)
    result = gradient_descent(quadratic, p0, rule, lambda k, loss: None, learning_rate=1.0)
    assert not np.isfinite(result.history[-1]) and result.iterations < 10_000
    assert result.stop is Stop.DIVERGED
    np.testing.assert_array_equal(result.parameters, p0)
    assert result.loss == quadratic(p0)[0]


def test_a_loss_that_stops_improving_stagnates() -> None:
    # Gradient descent on a quadratic with a tiny step: the loss falls by 4e-6 per iteration
    # at first, so 0.1 % over 100 iterations is not reached at the first check.
    rule = StoppingRule(100_000, window=100, progress=1e-3)
    p0 = np.array([1.0, -2.0, 0.5])
    result = gradient_descent(quadratic, p0, rule, lambda k, loss: None, learning_rate=1e-7)
    assert result.stop is Stop.STAGNATED and result.iterations == 200
    history = result.history
    assert min(history[-100:]) > (1 - 1e-3) * min(history[:-100])


def test_the_rule_measures_progress_over_its_window() -> None:
    rule = StoppingRule(1000, window=10, progress=0.5)
    halving = [2.0**-k for k in range(21)]  # halves every iteration: never stagnant
    assert rule.reason(halving) is None
    slow = [1.0 - 0.01 * k for k in range(21)]  # 10 % over the last 10 iterations
    assert rule.reason(slow) is Stop.STAGNATED
    assert rule.reason(slow[:20]) is None  # checked only every 10 iterations
    assert rule.reason([*slow[:-1], float("nan")]) is Stop.DIVERGED
    assert StoppingRule(20).reason(slow) is Stop.BUDGET
