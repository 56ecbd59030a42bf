"""Solving an ODE with a neural-network trial solution (Lagaris, Likas and Fotiadis, IEEE Trans.
Neural Networks 9(5), 1998).

The trial solution y_t(x, p) = A(x) + B(x) N(x, p) meets the initial or boundary conditions for
every p (see `solverq.solvers.nn_ode.trial`); p minimises the mean squared residual of the equation
on collocation points in [x0, x1] (see `solverq.solvers.nn_ode.loss`).

Training runs in rounds; when the points are chosen here and the solution turns through many
radians, two warm-up rounds on the first quarter and the first half of the interval come first
(`warm_up_points`). Each round minimises the loss on the current points until it stagnates (see
`optimizers.StoppingRule`) or, checked each time its loss falls by CHECKPOINT_FACTOR, it has
reached the run's target with a margin (`_Checkpoints`), then measures the residual on a
validation grid between the points (`solverq.solvers.nn_ode.validation`). The run has converged
when the error that residual causes, estimated by the linearised equation, is at most
`error_tol` times the solution's size (and the loss at most `tol` when one is given). When BFGS
stagnated short of that on points that resolve the residual, a Levenberg-Marquardt polish goes
on from its weights (`solverq.solvers.nn_ode.polish`, `_polish`). Otherwise, while the
iterations last, the next round goes on from the current weights with more points where the
residual is largest when the residual between the points is well above the loss on them, or with
a wider network when it is not (the points resolve the residual, the network cannot make it
smaller). Given `points` or `hidden`, those stay fixed; adam and gd train one round
(`ADAPTIVE`). Once the loss is at most `tol`, training ends whatever the error: every further
round would stop before its first iteration. The run's `stop` says why the run ended
(`_run_stop`), not why its last round or polish did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from solverq.solvers.nn_ode import optimizers
from solverq.solvers.nn_ode.loss import residual_loss
from solverq.solvers.nn_ode.network import Network
from solverq.solvers.nn_ode.optimizers import Minimisation, Stop, StoppingRule
from solverq.solvers.nn_ode.polish import polish
from solverq.solvers.nn_ode.sizing import BASE_POINTS, initial_points, initial_width, phase_span
from solverq.solvers.nn_ode.trial import TrialSolution, trial_solution
from solverq.solvers.nn_ode.validation import Validation, refined_points, validate
from solverq.solvers.ode.problem import ODEProblem
from solverq.solvers.outcome import Progress, SolveStatus

OPTIMIZERS = ("bfgs", "adam", "gd")
ADAPTIVE = ("bfgs",)
"""The optimizers that train in warm-up, refinement and widening rounds. Adam and gradient
descent, bound by their budget, train one round on the starting points and network, so that
their loss history is one curve."""
PROGRESS_INTERVAL = 10
"""Progress is reported every this many iterations."""
UNDER_RESOLVED = 100.0
"""Points are added while the validation residual's mean square is above this many times the
loss; below it, the network is widened."""
STALLED = 0.5
"""A round that does not bring the estimated error below this fraction of the best before it
has stalled; after two stalled rounds in a row the network is no longer widened."""
STAGNATION = {"bfgs": (100, 0.02), "adam": (1000, 0.01), "gd": (1000, 0.001)}
"""The window and relative progress of the stagnation rule of each optimizer."""
MAX_POINTS = 1000
"""The most collocation points refinement adds up to."""
MAX_WIDTH = 60
"""The widest the network grows."""
WIDTH_STEP = 10
POLISH_MARGIN = 2.0
"""The factor below the error target that a Levenberg-Marquardt polish aims for."""
POLISH_LENGTH = 2
"""A polish takes at most this many times the iterations of the round it polishes (and at least
two windows of its stagnation rule, so that the rule can judge it)."""
POLISH_STAGNATION = (100, 0.1)
"""The window and relative progress of the polish's stagnation rule: Levenberg-Marquardt near a
zero-residual minimum gains far more than BFGS per step, or it is not worth its cost."""
CHECKPOINT_FACTOR = 100.0
"""A round checks whether it has reached the target each time its loss falls by this factor."""
WARM_UP_SPAN = 8.0
WARM_UP_FRACTIONS = (0.25, 0.5)
WARM_UP_DENSITY = 4.0


@dataclass(frozen=True)
class NeuralODESettings:
    """The network (`hidden` widths, `activation`, initialisation `seed`) and its training.

    `points` and `hidden` None mean: chosen from the problem, then refined and widened."""

    hidden: tuple[int, ...] | None = None
    activation: str = "sigmoid"
    seed: int = 0
    optimizer: str = "bfgs"
    iterations: int = 20_000
    learning_rate: float = 1e-3
    points: int | None = None
    tol: float | None = None
    error_tol: float = 1e-5


@dataclass(frozen=True)
class NeuralODEResult:
    """A trained trial solution and how its training ended: `iterations` over all rounds and
    polishes (`loss_history` holds one more), `stop` the run's reason to end (`_run_stop`)."""

    status: SolveStatus
    loss: float
    iterations: int
    loss_history: np.ndarray
    parameters: np.ndarray
    network: Network
    trial: TrialSolution
    collocation_points: np.ndarray
    validation: Validation | None
    stop: Stop
    rounds: int

    def solution(self, x: np.ndarray) -> np.ndarray:
        """y_t(x) shaped (components, len(x)); defined beyond [x0, x1] too."""
        return self.trial.values(self.network, self.parameters, np.asarray(x, dtype=float))


def collocation_points(x0: float, x1: float, count: int) -> np.ndarray:
    """The Chebyshev-Gauss-Lobatto points x0 + (x1 - x0)(1 - cos(πi/(count - 1)))/2,
    i = 0..count-1: both ends included, clustered towards them. The residual is small between
    them as well as at them, where equidistant points let it grow near the ends (Runge's
    phenomenon): over 20 seeds the four problems of Lagaris et al. end 2 to 5 times closer to
    their exact solutions than with equidistant points, at the same loss."""
    i = np.arange(count)
    return x0 + (x1 - x0) * (1.0 - np.cos(np.pi * i / (count - 1))) / 2.0


def warm_up_points(problem: ODEProblem) -> list[np.ndarray]:
    """The collocation points of the warm-up rounds: on [x0, x0 + L/4] and [x0, x0 + L/2] when
    the solution turns through at least WARM_UP_SPAN radians, none otherwise, with
    WARM_UP_DENSITY points per radian (at least BASE_POINTS). A solution that turns many times
    is fitted from its start onwards, as an initial value problem propagates: trained on the
    whole interval at once, a nonlinear equation's network can settle on a function that meets
    the equation at the points but not the initial values' solution (a curriculum in the sense
    of A. S. Krishnapriyan, A. Gholami, S. Zhe, R. M. Kirby, M. W. Mahoney, "Characterizing
    possible failure modes in physics-informed neural networks", NeurIPS 2021)."""
    span = phase_span(problem)
    if problem.boundary is not None or span < WARM_UP_SPAN:
        return []
    length = problem.x1 - problem.x0
    return [
        collocation_points(
            problem.x0,
            problem.x0 + fraction * length,
            max(BASE_POINTS, int(np.ceil(WARM_UP_DENSITY * fraction * span))),
        )
        for fraction in WARM_UP_FRACTIONS
    ]


def solve(
    problem: ODEProblem, settings: NeuralODESettings, progress: Progress | None = None
) -> NeuralODEResult:
    """Train the trial solution of `problem`; `progress(fraction, message)` hears of every
    tenth iteration and of the end."""
    if settings.optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {settings.optimizer!r} (known: {OPTIMIZERS})")
    rng = np.random.default_rng(settings.seed)
    trial = trial_solution(problem)
    hidden = settings.hidden or (initial_width(problem),)
    network = Network(
        tuple(hidden), problem.components, settings.activation, problem.x0, problem.x1 - problem.x0
    )
    x = collocation_points(problem.x0, problem.x1, settings.points or initial_points(problem))
    p = network.initial_parameters(rng)
    history: list[float] = []
    rounds = 0
    adaptive = settings.optimizer in ADAPTIVE
    refine = adaptive and settings.points is None
    widen = adaptive and settings.hidden is None
    if refine:
        for prefix in warm_up_points(problem):
            rounds += 1
            minimisation = _minimise(
                problem, network, trial, prefix, p, settings, len(history), progress
            )
            _extend(history, minimisation)
            p = minimisation.parameters
    best_error = np.inf
    stalled = 0
    while True:
        rounds += 1
        reached = _Checkpoints(problem, network, trial, x, settings) if adaptive else None
        minimisation = _minimise(
            problem, network, trial, x, p, settings, len(history), progress, reached
        )
        _extend(history, minimisation)
        p = minimisation.parameters
        if minimisation.stop is Stop.DIVERGED:
            validation = None
            break
        validation = validate(problem, network, trial, p, x)
        converged = _converged(minimisation, validation, settings)
        resolved = validation.rms**2 <= UNDER_RESOLVED * minimisation.loss
        if adaptive and resolved and not converged and minimisation.stop is Stop.STAGNATED:
            minimisation = _polish(
                problem,
                network,
                trial,
                x,
                minimisation,
                validation,
                settings,
                len(history),
                progress,
            )
            _extend(history, minimisation)
            p = minimisation.parameters
            validation = validate(problem, network, trial, p, x)
            converged = _converged(minimisation, validation, settings)
        if converged or _at_tol(minimisation, settings) or len(history) - 1 >= settings.iterations:
            break
        stalled = stalled + 1 if validation.error_estimate > STALLED * best_error else 0
        best_error = min(best_error, validation.error_estimate)
        under_resolved = validation.rms**2 > UNDER_RESOLVED * minimisation.loss
        if under_resolved and refine and len(x) < MAX_POINTS:
            x = refined_points(x, validation, min(len(x), MAX_POINTS - len(x)))
        elif stalled < 2 and widen and network.hidden[-1] < MAX_WIDTH:
            network, p = network.widened(p, WIDTH_STEP, rng)
        else:
            break

    status = _status(minimisation, validation, settings)
    if progress is not None:
        progress(1.0, f"{status.value}: loss {minimisation.loss:.3e}")
    return NeuralODEResult(
        status,
        minimisation.loss,
        len(history) - 1,
        np.array(history),
        p,
        network,
        trial,
        x,
        validation,
        _run_stop(minimisation, status, len(history) - 1, settings),
        rounds,
    )


def _at_tol(minimisation: Minimisation, settings: NeuralODESettings) -> bool:
    """Whether the loss is at most the hard target `tol`: every round from here would stop
    before its first iteration."""
    return settings.tol is not None and minimisation.loss <= settings.tol


def _run_stop(
    minimisation: Minimisation, status: SolveStatus, iterations: int, settings: NeuralODESettings
) -> Stop:
    """Why the run ended: diverged; the target met (the error target, or the loss at `tol`,
    which ends training whatever the error); all `iterations` used; or else stagnated (the last
    round stopped improving and neither more points nor more units were left to try). A
    round's or a polish's own stop is not the run's: a converged run may end on a round that
    stagnated, and a polish ends at its own length, not the run's budget."""
    if minimisation.stop is Stop.DIVERGED:
        return Stop.DIVERGED
    if status is SolveStatus.CONVERGED or _at_tol(minimisation, settings):
        return Stop.TARGET
    if iterations >= settings.iterations:
        return Stop.BUDGET
    return Stop.STAGNATED


def _extend(history: list[float], minimisation: Minimisation) -> None:
    """Append a round's losses to the run's: the loss before its first iteration only for the
    first round (a later round starts where the one before ended, on new points or units)."""
    history += list(minimisation.history[1:] if history else minimisation.history)


def _minimise(
    problem: ODEProblem,
    network: Network,
    trial: TrialSolution,
    x: np.ndarray,
    p: np.ndarray,
    settings: NeuralODESettings,
    done: int,
    progress: Progress | None,
    reached: Callable[[np.ndarray, float], bool] | None = None,
) -> Minimisation:
    """One round of training from p on the points x, `done` iterations into the run; BFGS
    stops early when `reached(p, loss)`."""
    start = max(done - 1, 0)
    window, relative_progress = STAGNATION[settings.optimizer]
    rule = StoppingRule(
        iterations=settings.iterations - start,
        tol=settings.tol or 0.0,
        window=window,
        progress=relative_progress,
    )

    report = _reporter(settings, start, progress)
    loss_and_gradient = residual_loss(problem, network, trial, x)
    if settings.optimizer == "bfgs":
        return optimizers.bfgs(loss_and_gradient, p, rule, report, reached)
    if settings.optimizer == "adam":
        return optimizers.adam(loss_and_gradient, p, rule, report, settings.learning_rate)
    return optimizers.gradient_descent(loss_and_gradient, p, rule, report, settings.learning_rate)


def _reporter(
    settings: NeuralODESettings, start: int, progress: Progress | None
) -> Callable[[int, float], None]:
    """The callback of a round that starts `start` iterations into the run."""

    def report(iteration: int, loss: float) -> None:
        if progress is not None and (start + iteration) % PROGRESS_INTERVAL == 0:
            progress(
                (start + iteration) / settings.iterations,
                f"iteration {start + iteration}: loss {loss:.3e}",
            )

    return report


class _Checkpoints:
    """Whether a round has reached the run's target mid-way: each time the loss has fallen by a
    factor CHECKPOINT_FACTOR since the last check, the trial solution is validated, and the
    round stops once the estimated error is at most `error_tol` times the solution's size with
    a margin of POLISH_MARGIN (and the loss at most `tol` when given). The estimate falls as
    the square root of the loss, so that a round trained until it stagnates would go on to
    errors orders of magnitude below the target; the checks cost a validation for every
    factor of ten in the error."""

    def __init__(
        self,
        problem: ODEProblem,
        network: Network,
        trial: TrialSolution,
        x: np.ndarray,
        settings: NeuralODESettings,
    ) -> None:
        self.problem, self.network, self.trial, self.x = problem, network, trial, x
        self.settings = settings
        self.next_check = np.inf

    def __call__(self, p: np.ndarray, loss: float) -> bool:
        if not np.isfinite(self.next_check):
            self.next_check = loss / CHECKPOINT_FACTOR
            return False
        if loss > self.next_check or loss > (self.settings.tol or np.inf):
            return False
        self.next_check = loss / CHECKPOINT_FACTOR
        validation = validate(self.problem, self.network, self.trial, p, self.x)
        target = self.settings.error_tol * (validation.size or 1.0)
        return validation.error_estimate <= target / POLISH_MARGIN


def _polish(
    problem: ODEProblem,
    network: Network,
    trial: TrialSolution,
    x: np.ndarray,
    trained: Minimisation,
    validation: Validation,
    settings: NeuralODESettings,
    done: int,
    progress: Progress | None,
) -> Minimisation:
    """Levenberg-Marquardt from where BFGS stagnated, until the loss is low enough for the
    error target. The estimated error is linear in the residual, so it falls below
    `error_tol` times the solution's size, with a margin of POLISH_MARGIN, once the loss is
    L (target / (POLISH_MARGIN · estimate))²; the polish stops there (or at `tol`, when lower),
    or when its loss stagnates as BFGS's does."""
    start = done - 1
    target = settings.error_tol * (validation.size or 1.0)
    wanted = trained.loss * (target / (POLISH_MARGIN * validation.error_estimate)) ** 2
    window, relative_progress = POLISH_STAGNATION
    rule = StoppingRule(
        iterations=min(
            settings.iterations - start, max(POLISH_LENGTH * trained.iterations, 2 * window)
        ),
        tol=min(wanted, settings.tol or np.inf),
        window=window,
        progress=relative_progress,
    )
    polished = polish(problem, network, trial, x, trained.parameters, rule)
    report = _reporter(settings, start, progress)
    for iteration, loss in enumerate(polished.history[1:], start=1):
        report(iteration, loss)
    if polished.loss < trained.loss:
        return polished
    return replace(polished, parameters=trained.parameters, loss=trained.loss)


def _converged(
    minimisation: Minimisation, validation: Validation, settings: NeuralODESettings
) -> bool:
    """The estimated error is at most `error_tol` times the solution's size (or `error_tol` when
    the solution vanishes), and the loss at most `tol` if given."""
    within_tol = settings.tol is None or minimisation.loss <= settings.tol
    target = settings.error_tol * (validation.size or 1.0)
    return within_tol and validation.error_estimate <= target


def _status(
    minimisation: Minimisation, validation: Validation | None, settings: NeuralODESettings
) -> SolveStatus:
    if validation is None:
        return SolveStatus.DIVERGED
    if _converged(minimisation, validation, settings):
        return SolveStatus.CONVERGED
    return SolveStatus.NOT_CONVERGED


def max_abs_error(
    result: NeuralODEResult, exact: Callable[[np.ndarray], np.ndarray], x: np.ndarray
) -> float:
    """max over the points x and the components of |y_t(x) - y(x)|."""
    return float(np.max(np.abs(result.solution(x) - np.asarray(exact(x), dtype=float))))
