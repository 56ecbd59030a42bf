"""The bound on the rounding error of y_t against y_t computed to 40 digits."""

from decimal import Decimal, localcontext

import numpy as np

from solverq.solvers.nn_ode.network import Network
from solverq.solvers.nn_ode.rounding import rounding_error
from solverq.solvers.nn_ode.trial import SecondOrderIVP


def precise_trial_values(network: Network, p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """y_t = 1 + x² N(x) of a one-layer sigmoid network, in 40-digit decimal arithmetic from
    the same float parameters."""
    (w, b), (v, c) = network.layers(p)
    values = []
    with localcontext() as context:
        context.prec = 40
        for point in x:
            t = (Decimal(point) - Decimal(network.x0)) / Decimal(network.length)
            n = Decimal(c[0, 0])
            for wi, bi, vi in zip(w[:, 0], b[:, 0], v[0], strict=True):
                z = Decimal(wi) * t + Decimal(bi)
                n += Decimal(vi) / (1 + (-z).exp())
            values.append(1 + Decimal(point) ** 2 * n)
    return np.array(values, dtype=object)


def cancelling_network() -> tuple[Network, SecondOrderIVP, np.ndarray]:
    """Twelve sigmoid units on [0, 2] whose output weights of order 1e10 nearly cancel: pairs
    of almost equal units with opposite weights, as a least-squares fit on nearly dependent
    units leaves them."""
    rng = np.random.default_rng(3)
    network = Network((12,), 1, "sigmoid", 0.0, 2.0)
    w = rng.normal(0.0, 8.0, 6)
    b = -w * rng.uniform(0.0, 1.0, 6)
    w = np.concatenate([w, w * (1 + 1e-9)])
    b = np.concatenate([b, b])
    v = 1e10 * rng.uniform(0.5, 1.0, 6)
    v = np.concatenate([-v, v])
    p = np.concatenate([w, b, v, [3.0]])
    return network, SecondOrderIVP(0.0, np.array([1.0]), np.array([0.0])), p


def test_the_bound_holds_where_cancelling_terms_make_y_noisy() -> None:
    network, trial, p = cancelling_network()
    x = np.linspace(0.0, 2.0, 201)
    computed = trial.values(network, p, x)[0]
    exact = precise_trial_values(network, p, x)
    error = np.array([abs(Decimal(y) - e) for y, e in zip(computed, exact, strict=True)], float)
    bound = rounding_error(network, trial, p, x)[0]
    assert np.abs(computed).max() < 1e3
    assert error.max() > 1e-7  # the rounding error is far above 1e-16 |y|
    assert np.all(error <= bound)
    assert bound.max() < 1000 * error.max()


def test_the_bound_is_at_machine_precision_for_moderate_weights() -> None:
    network = Network((10,), 1, "sigmoid", 0.0, 2.0)
    p = network.initial_parameters(np.random.default_rng(0))
    p[-11:] = np.random.default_rng(1).normal(0.0, 10.0, 11)
    trial = SecondOrderIVP(0.0, np.array([1.0]), np.array([0.0]))
    x = np.linspace(0.0, 2.0, 101)
    scale = np.abs(trial.values(network, p, x)).max()
    assert rounding_error(network, trial, p, x).max() < 1e-13 * scale
