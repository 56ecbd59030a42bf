"""Training a network: mini-batch gradient descent with any update rule and schedule, early
stopping on a validation share, and divergence detection.

Each epoch shuffles the training rows and steps once per batch of M rows (`MiniBatches`; the
full batch when M is None), with the rate eta(t) of update t = epoch m + i. The training loss of
an epoch is the mean of its batches' costs, weighted by their rows (exact for the full batch,
as scikit-learn's `loss_curve_` otherwise); the test loss is the cost on the test set after the
epoch. Both are the data cost, without the L2 term.

Early stopping (`validation` > 0) holds out that share of the training rows, evaluates their
cost after every epoch, stops once it has not improved for `patience` epochs and returns the
network of the best epoch (L. Prechelt, "Early stopping - but when?", in "Neural Networks:
Tricks of the Trade", Springer 1998). A run diverges when the loss stops being finite or grows
by `DIVERGENCE_GROWTH` over its value before training.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from solverq.solvers.ffnn.autodiff import AutogradGradient
from solverq.solvers.ffnn.backprop import Backpropagation
from solverq.solvers.ffnn.network import Network
from solverq.solvers.optimization import UpdateRule
from solverq.solvers.optimization.batches import MiniBatches
from solverq.solvers.optimization.schedules import Constant, Schedule
from solverq.solvers.outcome import Progress, SolveStatus, no_progress

DIVERGENCE_GROWTH = 1e6
EVALUATION_ROWS = 128


@dataclass(frozen=True)
class TrainingSettings:
    """The update rule and initial rate, schedule, epochs, batch size (None: full batch), L2
    penalty lambda, validation share (0: no early stopping) and patience, gradient, seed."""

    rule: UpdateRule
    eta: float
    schedule: Schedule = field(default_factory=Constant)
    epochs: int = 200
    batch_size: int | None = None
    lam: float = 0.0
    validation: float = 0.0
    patience: int = 10
    gradient: Literal["analytic", "autograd"] = "analytic"
    seed: int | np.random.SeedSequence = 0


@dataclass(frozen=True)
class TrainingResult:
    """The trained network (the best epoch's with early stopping), the loss per epoch on the
    training and test sets (empty without a test set), the epochs run, the status and reason."""

    network: Network
    loss_history: np.ndarray
    test_loss_history: np.ndarray
    epochs: int
    status: SolveStatus
    reason: str


def train(
    network: Network,
    inputs: np.ndarray,
    targets: np.ndarray,
    test_inputs: np.ndarray,
    test_targets: np.ndarray,
    settings: TrainingSettings,
    progress: Progress = no_progress,
) -> TrainingResult:
    """Train `network` in place on the rows of inputs (n x n_0) and targets (n x K); a
    `ValueError` when no row is left to step on, or early stopping has no validation row."""
    shuffle_seed, validation_seed = _fresh(settings.seed).spawn(2)
    inputs, targets, held_inputs, held_targets = _hold_out(
        inputs, targets, settings.validation, validation_seed
    )
    if len(inputs) == 0:
        raise ValueError("no training rows are left to train on")
    if settings.validation > 0 and len(held_inputs) == 0:
        raise ValueError("early stopping needs at least one validation row; none was held out")
    run = _Run(network, inputs, targets, settings, shuffle_seed)
    test = _Evaluation(network, test_inputs, test_targets)
    held = _Evaluation(network, held_inputs, held_targets)
    losses = np.empty(settings.epochs)
    test_losses = np.empty(settings.epochs if test.rows else 0)
    best = (np.inf, network.copy(), 0)
    status, reason, epochs = SolveStatus.NOT_CONVERGED, "", settings.epochs
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        initial = _Evaluation(network, inputs, targets).loss()
        for epoch in range(settings.epochs):
            loss = run.epoch(epoch)
            losses[epoch] = loss
            if test.rows:
                test_losses[epoch] = test.loss()
            if not np.isfinite(loss) or loss > DIVERGENCE_GROWTH * max(initial, 1e-300):
                what = "became " + str(loss) if not np.isfinite(loss) else f"grew to {loss:.3g}"
                reason = (
                    f"diverged in epoch {epoch + 1}: the training loss {what} from {initial:.3g} "
                    f"(eta = {settings.eta:.3g}); a smaller eta may train"
                )
                return _result(network, losses, test_losses, epoch, SolveStatus.DIVERGED, reason)
            progress((epoch + 1) / settings.epochs, f"epoch {epoch + 1}, loss {loss:.4g}")
            if held.rows:
                validation_loss = held.loss()
                if validation_loss < best[0]:
                    best = (validation_loss, network.copy(), epoch + 1)
                elif epoch + 1 - best[2] >= settings.patience:
                    status, epochs = SolveStatus.CONVERGED, epoch + 1
                    reason = (
                        f"early stopping: the validation loss has not improved for "
                        f"{settings.patience} epochs since epoch {best[2]}"
                    )
                    break
    if held.rows:
        _restore(network, best[1])
    if not reason:
        reason = f"{settings.epochs} epochs ran"
    return _result(network, losses[:epochs], test_losses[:epochs], epochs, status, reason)


class _Run:
    """The batches and buffers of one training run."""

    def __init__(
        self,
        network: Network,
        inputs: np.ndarray,
        targets: np.ndarray,
        settings: TrainingSettings,
        seed: np.random.SeedSequence,
    ) -> None:
        n = len(inputs)
        self.inputs, self.targets, self.settings = inputs, targets, settings
        self.parameters = [network.vector]
        full = settings.batch_size is None or settings.batch_size >= n
        self.batches = None if full else MiniBatches(n, settings.batch_size or n, seed)
        rows = n if self.batches is None else self.batches.size
        gradient = Backpropagation if settings.gradient == "analytic" else AutogradGradient
        self.gradient = gradient(network, settings.lam, rows)
        self.gradients = [self.gradient.vector]
        self.step = settings.rule.start([network.vector.shape])
        if self.batches is not None:
            self.batch_inputs = np.empty((rows, inputs.shape[1]))
            self.batch_targets = np.empty((rows, targets.shape[1]))

    def epoch(self, epoch: int) -> float:
        """One epoch of updates; the mean of the batches' costs, weighted by their rows."""
        settings = self.settings
        if self.batches is None:
            loss = self.gradient(self.inputs, self.targets)
            self.step(self.parameters, self.gradients, settings.schedule.rate(settings.eta, epoch))
            return loss
        total = 0.0
        for index, rows in enumerate(self.batches.epoch()):
            m = len(rows)
            # mode="clip" lets take() write into `out` directly; the rows are always in range.
            np.take(self.inputs, rows, axis=0, out=self.batch_inputs[:m], mode="clip")
            np.take(self.targets, rows, axis=0, out=self.batch_targets[:m], mode="clip")
            total += m * self.gradient(self.batch_inputs[:m], self.batch_targets[:m])
            t = epoch * self.batches.count + index
            self.step(self.parameters, self.gradients, settings.schedule.rate(settings.eta, t))
        return total / len(self.inputs)


class _Evaluation:
    """The cost of the network on a fixed set of rows, taken in chunks of at most
    `EVALUATION_ROWS` rows: products of the size of a training batch, which a multithreaded BLAS
    runs without waking its threads."""

    def __init__(self, network: Network, inputs: np.ndarray, targets: np.ndarray) -> None:
        self.rows = len(inputs)
        self.inputs, self.targets = inputs, targets
        self.chunk = min(self.rows, EVALUATION_ROWS)
        self.forward = Backpropagation(network, 0.0, self.chunk) if self.rows else None

    def loss(self) -> float:
        if self.forward is None:
            return float("nan")
        total = 0.0
        for start in range(0, self.rows, self.chunk):
            rows = slice(start, start + self.chunk)
            inputs = self.inputs[rows]
            total += len(inputs) * self.forward.loss(inputs, self.targets[rows])
        return total / self.rows


def _hold_out(
    inputs: np.ndarray, targets: np.ndarray, share: float, seed: np.random.SeedSequence
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The training rows kept for the steps, and the validation rows held out (maybe none)."""
    held = round(share * len(inputs))
    order = np.random.default_rng(seed).permutation(len(inputs))
    kept, out = np.sort(order[held:]), np.sort(order[:held])
    return inputs[kept], targets[kept], inputs[out], targets[out]


def _fresh(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """A seed sequence that has spawned nothing yet, so that equal settings train alike."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)
    return np.random.SeedSequence(seed)


def _restore(network: Network, best: Network) -> None:
    network.vector[...] = best.vector


def _result(
    network: Network,
    losses: np.ndarray,
    test_losses: np.ndarray,
    epochs: int,
    status: SolveStatus,
    reason: str,
) -> TrainingResult:
    return TrainingResult(
        network, losses[:epochs].copy(), test_losses[:epochs].copy(), epochs, status, reason
    )
