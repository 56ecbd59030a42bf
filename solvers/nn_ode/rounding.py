"""A bound on the rounding error of y_t(x) as it is evaluated in floating point.

Trained output weights may be large and nearly cancel: N = Σ_i v_i a_i + c of order one made of
terms of order 1e10 carries rounding errors of order 1e10 u (u = 2^-53), which differ from one
point to the next. The linearised equation of `error_estimate` does not see them (the
residual's noise averages out in its solution), so they are bounded here and added to it.

First-order running error analysis (N. J. Higham, "Accuracy and Stability of Numerical
Algorithms", 2nd ed., SIAM 2002, sections 3.1 and 3.3): a sum of k products computed in floating
point is off by at most g_k = k u times the sum of their magnitudes, and an error δ in a layer's
input reaches its output through |W| δ, and through the activation as |s'(z)| δ. Layer by layer,
with |a| the magnitudes of the inputs, δa their errors and a fan-in of k,

    δz = |W| δa + g_{k+1} (|W| |a| + |b|)
    δa_next = |s'(z)| δz + ACTIVATION_ERROR u max(|s(z)|, 1)
    δN = |V| δa + g_{k+1} (|V| |a| + |c|)
    δy = |B| δN + TRIAL_ERROR u (|A| + |B N|)

starting from t = (x - x0)/L with δt = 2u|t|.
"""

from __future__ import annotations

import numpy as np

from solverq.solvers.nn_ode.activations import ACTIVATIONS
from solverq.solvers.nn_ode.network import Network
from solverq.solvers.nn_ode.trial import TrialSolution

UNIT_ROUNDOFF = np.finfo(float).eps / 2
ACTIVATION_ERROR = 4.0
"""The rounding error of an activation's value, in units of u times max(|s|, 1)."""
TRIAL_ERROR = 4.0
"""The rounding error of A + B N given N, in units of u times |A| + |B N|."""


def rounding_error(
    network: Network, trial: TrialSolution, p: np.ndarray, x: np.ndarray
) -> np.ndarray:
    """The bound δy on |fl(y_t(x)) - y_t(x)|, shaped (components, points)."""
    activation = ACTIVATIONS[network.activation]
    t = ((np.asarray(x, dtype=float) - network.x0) / network.length).reshape(1, -1)
    a, error = t, 2.0 * UNIT_ROUNDOFF * np.abs(t)
    *hidden, (v, c) = network.layers(p)
    for w, b in hidden:
        z = w @ a + b
        magnitude = np.abs(w) @ np.abs(a) + np.abs(b)
        z_error = np.abs(w) @ error + _gamma(w.shape[1] + 1) * magnitude
        s, ds, _, _ = activation(z)
        error = np.abs(ds) * z_error + ACTIVATION_ERROR * UNIT_ROUNDOFF * np.maximum(np.abs(s), 1)
        a = s
    n = v @ a + c
    n_error = np.abs(v) @ error + _gamma(v.shape[1] + 1) * (np.abs(v) @ np.abs(a) + np.abs(c))
    offset, factor = np.abs(trial.offset(x)[0]), np.abs(trial.factor(x)[0])
    return factor * n_error + TRIAL_ERROR * UNIT_ROUNDOFF * (offset + factor * np.abs(n))


def _gamma(terms: int) -> float:
    """g_k = k u / (1 - k u), the relative error bound of a sum of k terms."""
    return terms * UNIT_ROUNDOFF / (1.0 - terms * UNIT_ROUNDOFF)
