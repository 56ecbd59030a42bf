"""Benchmark of the `ffnn` training loop against scikit-learn's MLPRegressor and MLPClassifier.

The same architecture, activation (logistic), optimiser (Adam, eta = 0.001), batch size and
number of epochs on the same scaled training data, without early stopping or L2:

1. regression on the Franke function, n = 1000 training rows (+ 250 test), hidden [50, 50];
2. classification of the 8x8 digits, 1438 training rows (+ 359 test), hidden [50];

each with mini-batches of 32 and of 200 rows. The time is that of the training alone (our
`train`, their `fit`), job start-up and data preparation excluded; our run also evaluates the
test loss after every epoch, which scikit-learn does not. Each side runs `--repeats` times,
taking turns, and its best time counts; the test metric of each side shows they did the same
work. Times are CPU time of the calling thread with BLAS on one thread, so that a busy machine
does not count against either side; with `--threads N` (N > 1) they are wall-clock times, since
the BLAS threads then work outside the calling thread. Goal: a ratio of at most 1.0,
stretch 0.5.
Run: .venv/bin/python bench/ffnn.py
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from threadpoolctl import threadpool_limits

from solverq.solvers.ffnn.network import initial_network
from solverq.solvers.ffnn.training import TrainingSettings, train
from solverq.solvers.optimization.adam import Adam
from solverq.solvers.preparation.scaling import fit_scaler
from solverq.solvers.preparation.split import split_rows
from solverq.solvers.regression.data import franke_data


@dataclass(frozen=True)
class Case:
    name: str
    inputs: np.ndarray
    targets: np.ndarray
    hidden: tuple[int, ...]
    epochs: int
    classification: bool


def scaled_split(inputs: np.ndarray, targets: np.ndarray, classification: bool):
    train_rows, test_rows = split_rows(
        len(targets), 0.2, seed=0, classes=targets if classification else None
    )
    scaler = fit_scaler(inputs[train_rows], "standard")
    return (
        scaler.apply(inputs[train_rows]),
        targets[train_rows],
        scaler.apply(inputs[test_rows]),
        targets[test_rows],
    )


def ours(case: Case, batch: int) -> Callable[[], float]:
    x_train, y_train, x_test, y_test = scaled_split(case.inputs, case.targets, case.classification)
    if case.classification:
        t_train, t_test = np.eye(10)[y_train], np.eye(10)[y_test]
        widths, output = [x_train.shape[1], *case.hidden, 10], "softmax"
    else:
        t_train, t_test = y_train[:, np.newaxis], y_test[:, np.newaxis]
        widths, output = [x_train.shape[1], *case.hidden, 1], "identity"
    settings = TrainingSettings(Adam(), 0.001, epochs=case.epochs, batch_size=batch, seed=0)

    def run() -> float:
        network = initial_network(widths, "sigmoid", output, "xavier", seed=0)
        train(network, x_train, t_train, x_test, t_test, settings)
        predicted = network.predict(x_test)
        if case.classification:
            return float(np.mean(predicted.argmax(axis=1) == y_test))
        return float(np.mean((predicted[:, 0] - y_test) ** 2))

    return run


def scikit_learn(case: Case, batch: int) -> Callable[[], float]:
    x_train, y_train, x_test, y_test = scaled_split(case.inputs, case.targets, case.classification)
    estimator = MLPClassifier if case.classification else MLPRegressor

    def run() -> float:
        model = estimator(
            hidden_layer_sizes=case.hidden,
            activation="logistic",
            solver="adam",
            learning_rate_init=0.001,
            batch_size=batch,
            max_iter=case.epochs,
            alpha=0.0,
            tol=0.0,
            n_iter_no_change=case.epochs + 1,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x_train, y_train)
        if case.classification:
            return float(model.score(x_test, y_test))
        return float(np.mean((model.predict(x_test) - y_test) ** 2))

    return run


def timed(run: Callable[[], float], clock: Callable[[], float]) -> tuple[float, float]:
    start = clock()
    metric = run()
    return clock() - start, metric


def compare(case: Case, batch: int, repeats: int, clock: Callable[[], float]) -> None:
    mine, theirs = ours(case, batch), scikit_learn(case, batch)
    my_runs, their_runs = [], []
    for _ in range(repeats):
        my_runs.append(timed(mine, clock))
        their_runs.append(timed(theirs, clock))
    my_time, my_metric = min(my_runs)
    their_time, their_metric = min(their_runs)
    metric = "test accuracy" if case.classification else "test MSE"
    print(f"{case.name}, hidden {list(case.hidden)}, batch {batch}, {case.epochs} epochs")
    print(f"   ours:          {my_time:7.3f} s   {metric} {my_metric:.4g}")
    print(f"   scikit-learn:  {their_time:7.3f} s   {metric} {their_metric:.4g}")
    print(f"   ratio:         {my_time / their_time:7.2f}   (goal <= 1.0, stretch 0.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="Timed runs; the best counts.")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads of both sides.")
    parser.add_argument("--epochs", type=int, default=100, help="Epochs of every run.")
    arguments = parser.parse_args()
    franke_inputs, franke_targets = franke_data(1250, 0.05, 0)
    digits = load_digits()
    cases = [
        Case(
            "1. Franke regression", franke_inputs, franke_targets, (50, 50), arguments.epochs, False
        ),
        Case("2. digits classification", digits.data, digits.target, (50,), arguments.epochs, True),
    ]
    clock = time.thread_time if arguments.threads == 1 else time.perf_counter
    with threadpool_limits(limits=arguments.threads, user_api="blas"):
        for case in cases:
            for batch in (32, 200):
                compare(case, batch, arguments.repeats, clock)


if __name__ == "__main__":
    main()
