import numpy as np
import pytest

from solverq.solvers.optimization.adagrad import Adagrad
from solverq.solvers.optimization.adam import Adam
from solverq.solvers.optimization.momentum import Momentum
from solverq.solvers.optimization.rmsprop import RMSprop
from solverq.solvers.optimization.schedules import Inverse
from solverq.solvers.outcome import SolveStatus
from solverq.solvers.regression import fit as fit_module
from solverq.solvers.regression.autodiff import autograd_gradient
from solverq.solvers.regression.data import polynomial_data
from solverq.solvers.regression.design import polynomial_design
from solverq.solvers.regression.fit import FitSettings, fit
from solverq.solvers.regression.problem import RegressionProblem


def quadratic_problem(lam: float = 0.0) -> RegressionProblem:
    x, y = polynomial_data(200, [1.0, 2.0, 3.0], 0.1, seed=0)
    return RegressionProblem(polynomial_design(x[:, np.newaxis], 2, True, ["x"])[0], y, lam)


def well_conditioned_problem(n: int = 400, p: int = 5) -> RegressionProblem:
    rng = np.random.default_rng(0)
    design = np.column_stack([np.ones(n), rng.standard_normal((n, p - 1))])
    return RegressionProblem(design, design @ rng.standard_normal(p) + 0.5 * rng.standard_normal(n))


def mse(problem: RegressionProblem, theta: np.ndarray) -> float:
    return float(np.mean((problem.response - problem.design @ theta) ** 2))


def test_gd_with_eta_auto_converges_to_least_squares():
    problem = quadratic_problem()
    result = fit(problem, FitSettings(epochs=100_000, tol=1e-12))
    expected = np.linalg.lstsq(problem.design, problem.response, rcond=None)[0]
    assert result.status is SolveStatus.CONVERGED
    assert np.linalg.norm(result.theta - expected) / np.linalg.norm(expected) < 1e-6
    assert result.gradient_norm <= 1e-12
    assert result.epochs == len(result.mse_history) < 100_000


def test_gd_on_ridge_converges_to_its_closed_form():
    problem = quadratic_problem(lam=0.01)
    result = fit(problem, FitSettings(epochs=100_000, tol=1e-12))
    design, n = problem.design, problem.samples
    expected = np.linalg.solve(
        design.T @ design + n * 0.01 * np.eye(3), design.T @ problem.response
    )
    assert result.status is SolveStatus.CONVERGED
    assert np.linalg.norm(result.theta - expected) / np.linalg.norm(expected) < 1e-6


def test_eta_auto_is_one_over_the_largest_hessian_eigenvalue():
    problem = quadratic_problem(lam=0.05)
    hessian = 2 / problem.samples * problem.design.T @ problem.design + 2 * 0.05 * np.eye(3)
    result = fit(problem, FitSettings(epochs=1))
    assert result.lambda_max == pytest.approx(np.linalg.eigvalsh(hessian)[-1], rel=1e-12)
    assert result.eta == pytest.approx(1 / result.lambda_max, rel=1e-15)


@pytest.mark.parametrize(
    "settings",
    [
        FitSettings(epochs=100),
        FitSettings(rule=Momentum(0.9), batch_size=400, epochs=100),
        FitSettings(rule=Momentum(0.5), batch_size=50, eta=0.05, schedule=Inverse(50.0), epochs=60),
        FitSettings(batch_size=20, schedule=Inverse(50.0), epochs=30),
        FitSettings(rule=Adagrad(), batch_size=20, eta=0.5, schedule=Inverse(50.0), epochs=50),
        FitSettings(rule=RMSprop(), batch_size=20, eta=0.01, epochs=50),
        FitSettings(rule=Adam(), batch_size=20, eta=0.05, schedule=Inverse(50.0), epochs=50),
    ],
    ids=["gd", "momentum", "momentum-stochastic", "sgd", "adagrad", "rmsprop", "adam"],
)
def test_every_optimizer_comes_within_one_percent_of_the_closed_form_mse(settings):
    problem = well_conditioned_problem()
    least_squares = np.linalg.lstsq(problem.design, problem.response, rcond=None)[0]
    result = fit(problem, settings)
    assert result.status is not SolveStatus.DIVERGED
    assert result.mse == pytest.approx(mse(problem, result.theta), rel=1e-12)
    assert result.mse <= 1.01 * mse(problem, least_squares)
    residual = problem.design @ result.theta - problem.response
    gradient = 2 / problem.samples * problem.design.T @ residual
    assert result.gradient_norm == pytest.approx(np.linalg.norm(gradient), rel=1e-6, abs=1e-12)


def test_mse_history_holds_the_mse_after_each_epoch():
    problem = quadratic_problem()
    history = fit(problem, FitSettings(epochs=3, tol=0)).mse_history
    after = [fit(problem, FitSettings(epochs=k, tol=0)).theta for k in (1, 2, 3)]
    np.testing.assert_allclose(history, [mse(problem, theta) for theta in after], rtol=1e-12)


def test_same_seed_reshuffles_the_same_way():
    problem = well_conditioned_problem()
    settings = FitSettings(rule=Adam(), batch_size=16, eta=0.01, epochs=5, seed=11)
    first, again = fit(problem, settings), fit(problem, settings)
    np.testing.assert_array_equal(first.theta, again.theta)
    np.testing.assert_array_equal(first.mse_history, again.mse_history)
    other = fit(problem, FitSettings(rule=Adam(), batch_size=16, eta=0.01, epochs=5, seed=12))
    assert not np.array_equal(other.theta, first.theta)


def test_autograd_descends_exactly_like_the_analytic_gradient():
    problem = well_conditioned_problem(n=60)
    ridge = RegressionProblem(problem.design, problem.response, 0.1)
    for target in (problem, ridge):
        settings = FitSettings(batch_size=8, epochs=5, seed=3)
        analytic = fit(target, settings)
        automatic = fit(
            target, FitSettings(batch_size=8, epochs=5, seed=3, gradient=autograd_gradient)
        )
        np.testing.assert_allclose(automatic.theta, analytic.theta, rtol=1e-12, atol=1e-14)


def test_gd_above_the_stability_bound_stops_before_its_first_epoch():
    problem = quadratic_problem()
    bound = 2 / np.linalg.eigvalsh(2 / 200 * problem.design.T @ problem.design)[-1]
    result = fit(problem, FitSettings(eta=1.5 * bound))
    assert result.status is SolveStatus.DIVERGED
    assert result.reason == (
        f"diverged: eta = {1.5 * bound:.3g} exceeds the stability bound "
        f"2/lambda_max = {bound:.3g} of gradient descent on this problem"
    )
    assert result.epochs == 0


def test_gd_just_below_the_bound_does_not_diverge():
    problem = quadratic_problem()
    bound = 2 / np.linalg.eigvalsh(2 / 200 * problem.design.T @ problem.design)[-1]
    assert (
        fit(problem, FitSettings(eta=0.99 * bound, epochs=200)).status is SolveStatus.NOT_CONVERGED
    )


def test_growing_mse_is_divergence_named_with_eta_the_bound_and_the_epoch():
    problem = quadratic_problem()
    result = fit(problem, FitSettings(eta=5.0, schedule=Inverse(1000.0), epochs=500))
    assert result.status is SolveStatus.DIVERGED
    assert result.reason.startswith("diverged in epoch ")
    assert (
        "eta = 5" in result.reason
        and f"2/lambda_max = {2 / result.lambda_max:.3g}" in result.reason
    )
    assert 0 < result.epochs == len(result.mse_history) < 500
    assert np.isfinite(result.mse_history).all()


def test_overflow_is_divergence_and_no_nan_is_kept():
    problem = well_conditioned_problem()
    result = fit(problem, FitSettings(batch_size=10, eta=1e3, epochs=50))
    assert result.status is SolveStatus.DIVERGED
    assert "diverged in epoch 1" in result.reason and "eta = 1e+03" in result.reason
    assert len(result.mse_history) == 0


def test_progress_reports_fractions_in_order(monkeypatch):
    monkeypatch.setattr(fit_module, "PROGRESS_INTERVAL", 0.0)
    reported: list[float] = []
    fit(quadratic_problem(), FitSettings(epochs=10, tol=0), lambda f, message: reported.append(f))
    assert reported == pytest.approx([epoch / 10 for epoch in range(11)])


def test_ols_and_ridge_agree_with_scikit_learn():
    linear_model = pytest.importorskip("sklearn.linear_model")
    problem = quadratic_problem()
    ols = fit(problem, FitSettings(epochs=100_000, tol=1e-12)).theta
    reference = linear_model.LinearRegression(fit_intercept=False).fit(
        problem.design, problem.response
    )
    np.testing.assert_allclose(ols, reference.coef_, rtol=1e-6)
    ridge_problem = quadratic_problem(lam=0.02)
    ridge = fit(ridge_problem, FitSettings(epochs=100_000, tol=1e-12)).theta
    alpha = ridge_problem.samples * 0.02
    reference = linear_model.Ridge(alpha=alpha, fit_intercept=False, tol=1e-12)
    reference.fit(ridge_problem.design, ridge_problem.response)
    np.testing.assert_allclose(ridge, reference.coef_, rtol=1e-6)
