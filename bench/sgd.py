"""Benchmarks of the regression numerics behind the `sgd` plugin, side by side with their peers.

1. Full-batch gradient descent on n = 100 000, p = 50: the time per epoch of `fit` against the
   two BLAS matrix-vector products an epoch needs, X @ theta and X.T @ r, timed here the same way.
   Goal: a ratio of at most 1.3.
2. Mini-batch SGD to an MSE within 1% of the closed form on n = 100 000, p = 20 standardised
   features, against scikit-learn's SGDRegressor on the same data. Each side gets a small grid of
   configurations; for each configuration the fewest epochs that reach the target are found and
   that run is timed; the fastest configuration of each side is then timed again, the two runs
   taking turns. Goal: a ratio below 1.

Times are CPU time of the calling thread with BLAS on one thread (so scikit-learn's single-threaded
SGD and ours compare like for like, and a busy machine does not count against either). Each
epoch of (1) is timed on its own; each run of (2) is the best of `--repeats`.
Run: .venv/bin/python bench/sgd.py
"""

from __future__ import annotations

import argparse
import functools
import time
import warnings
from collections.abc import Callable, Iterable

import numpy as np
from threadpoolctl import threadpool_limits

from solverq.solvers.optimization.schedules import Constant, Inverse
from solverq.solvers.regression import fit as fit_module
from solverq.solvers.regression.fit import FitSettings, fit
from solverq.solvers.regression.problem import RegressionProblem, closed_form, mean_squared_error

MAX_EPOCHS = 10
clock = time.thread_time


def best_time(run: Callable[[], object], repeats: int) -> float:
    """The shortest wall-clock time of `repeats` calls of `run`, in seconds."""
    times = []
    for _ in range(repeats):
        start = clock()
        run()
        times.append(clock() - start)
    return min(times)


def full_batch_epoch(epochs: int, n: int = 100_000, p: int = 50) -> None:
    """Each epoch of `fit` is timed, then the two products alone right after it, at the epoch's
    progress report, so that both see the same load on the machine."""
    rng = np.random.default_rng(0)
    design = rng.standard_normal((n, p))
    problem = RegressionProblem(design, design @ rng.standard_normal(p) + rng.standard_normal(n))
    theta, residual, gradient = rng.standard_normal(p), np.empty(n), np.empty(p)
    epoch_times: list[float] = []
    product_times: list[float] = []
    epoch_start = 0.0

    def products_after_each_epoch(fraction: float, message: str) -> None:
        nonlocal epoch_start
        start = clock()
        epoch_times.append(start - epoch_start)
        np.matmul(design, theta, out=residual)
        np.matmul(design.T, residual, out=gradient)
        epoch_start = clock()
        product_times.append(epoch_start - start)

    fit_module.PROGRESS_INTERVAL = 0.0  # report every epoch, to time each one
    fit(problem, FitSettings(epochs=epochs, tol=0.0), products_after_each_epoch)
    epoch_times, product_times = epoch_times[1:], product_times[1:]

    print(f"1. full-batch GD, n = {n}, p = {p}: time per epoch, over {epochs} epochs")
    print("                                 best    median")
    for name, times in (("fit", epoch_times), ("X @ theta and X.T @ r", product_times)):
        print(f"   {name:<24} {min(times) * 1e3:8.2f} {np.median(times) * 1e3:8.2f}  ms")
    ratios = np.divide(epoch_times, product_times)
    print(
        f"   {'ratio':<24} {min(epoch_times) / min(product_times):8.2f} "
        f"{np.median(ratios):8.2f}  (goal <= 1.3; median of the ratios per epoch)"
    )


def standardised_data(n: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    raw = rng.standard_normal((n, p)) * rng.uniform(0.5, 5.0, p) + rng.uniform(-3.0, 3.0, p)
    features = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    return features, 1.0 + features @ rng.standard_normal(p) + rng.standard_normal(n)


def fewest_epochs(reaches: Callable[[int], bool]) -> int | None:
    return next((epochs for epochs in range(1, MAX_EPOCHS + 1) if reaches(epochs)), None)


def fastest(
    configurations: Iterable[tuple[str, Callable[[int], float]]], target: float, repeats: int
) -> tuple[Callable[[], object], str]:
    """The quickest run to the target MSE among the configurations, and its description.

    Each configuration maps a number of epochs to the MSE of a run with that many epochs.
    """
    best: tuple[float, str, Callable[[], object]] | None = None
    for name, run in configurations:
        epochs = fewest_epochs(lambda k, run=run: run(k) <= target)
        if epochs is not None:
            quickest = functools.partial(run, epochs)
            elapsed = best_time(quickest, repeats)
            if best is None or elapsed < best[0]:
                best = (elapsed, f"{name}, {epochs} epoch{'s' * (epochs > 1)}", quickest)
    if best is None:
        raise SystemExit(f"no configuration reached the target in {MAX_EPOCHS} epochs")
    return best[2], best[1]


def ours(problem: RegressionProblem) -> Iterable[tuple[str, Callable[[int], float]]]:
    for batch_size in (500, 1000, 4000):
        for schedule in (Constant(), Inverse(100.0)):

            def run(epochs: int, batch_size: int = batch_size, schedule=schedule) -> float:
                settings = FitSettings(
                    batch_size=batch_size, schedule=schedule, epochs=epochs, tol=0.0, seed=0
                )
                return fit(problem, settings).mse

            yield f"sgd, eta auto, batch_size {batch_size}, {schedule}", run


def scikit_learn(
    features: np.ndarray, response: np.ndarray
) -> Iterable[tuple[str, Callable[[int], float]]]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDRegressor

    for learning_rate in ("invscaling", "constant", "adaptive"):
        for eta0 in (0.001, 0.003, 0.01, 0.03):

            def run(epochs: int, learning_rate: str = learning_rate, eta0: float = eta0) -> float:
                model = SGDRegressor(
                    penalty=None,
                    learning_rate=learning_rate,
                    eta0=eta0,
                    max_iter=epochs,
                    tol=None,
                    random_state=0,
                )
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    model.fit(features, response)
                return float(np.mean((response - model.predict(features)) ** 2))

            yield f"SGDRegressor, learning_rate {learning_rate}, eta0 {eta0}", run


def minibatch_to_target(repeats: int, n: int = 100_000, p: int = 20) -> None:
    features, response = standardised_data(n, p)
    design = np.column_stack([np.ones(n), features])
    problem = RegressionProblem(design, response)
    target = 1.01 * mean_squared_error(problem, closed_form(problem))
    our_run, our_setting = fastest(ours(problem), target, repeats)
    their_run, their_setting = fastest(scikit_learn(features, response), target, repeats)
    our_times, their_times = [], []
    for _ in range(repeats):
        our_times.append(best_time(our_run, 1))
        their_times.append(best_time(their_run, 1))
    our_time, their_time = min(our_times), min(their_times)
    print(f"2. mini-batch SGD to MSE <= {target:.5f} (1% above the closed form), n = {n}, p = {p}")
    print(f"   ours:          {our_time * 1e3:8.1f} ms   ({our_setting})")
    print(f"   scikit-learn:  {their_time * 1e3:8.1f} ms   ({their_setting})")
    print(f"   ratio:         {our_time / their_time:8.2f}   (goal < 1)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="Timed runs; the best counts.")
    parser.add_argument("--epochs", type=int, default=200, help="Epochs of full-batch GD timed.")
    arguments = parser.parse_args()
    with threadpool_limits(limits=1, user_api="blas"):
        full_batch_epoch(arguments.epochs)
        minibatch_to_target(arguments.repeats)


if __name__ == "__main__":
    main()
