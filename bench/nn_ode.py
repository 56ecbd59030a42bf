"""nn-ode: default settings on many problems beside NeuroDiffEq's, and time to accuracy on
decay, y' = -2y, y(0) = 1 on [0, 1], against two peers.

    .venv/bin/python bench/nn_ode.py [--seeds 10] [--budget 60] [--epochs 2000] [--defaults-only]

0. Defaults, no per-problem tuning, on the problems of `nn_ode_problems` (Lagaris et al. 1-4,
   the named problems on their default intervals, other second-order IVPs over 10-20 time units,
   nonlinear ones): the max error on 2001 points against an independent reference (closed form
   or solve_ivp at rtol = atol = 1e-12), whether nn-ode reported `converged`, its own estimate of
   the error, and the wall and CPU time; beside it NeuroDiffEq's `Solver1D` with all its defaults
   (two hidden layers of 32 tanh units, 32 noisy equidistant points per epoch, Adam with learning
   rate 1e-3) for `--epochs` epochs, since it has no stopping rule of its own.

The peers, each with one hidden layer of 10 sigmoid units and the same 10 training points (the
Chebyshev-Gauss-Lobatto points of [0, 1], nn-ode's default) in float64, evaluated on 1001 points
of [0, 1] against exp(-2x):

1. nn-ode with its default settings (BFGS): the whole `solve`, for seed 0; and for `--seeds`
   seeds on each of the four problems of Lagaris et al. (decay; psi' + psi/5 = exp(-x/5) cos x
   on [0, 2]; psi'' + psi'/5 + psi = -exp(-x/5) cos(x)/5 as an IVP on [0, 2] and a BVP on
   [0, 1]), the max error against exp(-x/5) sin x, CPU time and iterations (median, worst).
2. A straightforward autograd implementation, written below: the trial solution 1 + x N(x, p),
   autograd's `elementwise_grad` for y_t' and `grad` of the loss with respect to p (autograd
   differentiates the network twice), and Adam (learning rate 1e-3).
3. NeuroDiffEq (PyTorch, CPU, float64): `Solver1D` with its IVP reparametrisation, which is the
   same trial solution, and Adam (learning rate 1e-3); and with PyTorch's L-BFGS (one iteration
   per epoch, its gradient and change tolerances off so that it does not stop early).

Time to accuracy is the training time until the max error on the grid first falls to 1e-5,
checked every `CHECK_EVERY` iterations (the checks are not timed); a peer that does not get
there within `--budget` seconds reports the best error it reached. Ratios are peer time / nn-ode
time. CPU time is reported beside wall time, since the machine may be shared. BLAS (numpy) and
PyTorch run on one thread each: on the small matrices of these networks more threads only
contend.

`--job-row` measures instead the whole job against a course student's version, each beyond
its own floor, as new processes in alternating rounds (medians): `solverq submit nn-ode -p
problem=decay -p constants.gamma=2 -p x1=1 --wait` less the trivial job `solverq submit
convolution -p a=[1] -p b=[1] --wait`, against `python bench/nn_ode_student.py` (the same
network, trial solution and points, autograd gradients and scipy's BFGS, imports included)
less `python -c "import numpy"`.

NeuroDiffEq needs PyTorch. Install the CPU build first (a plain `pip install torch` would fetch
the CUDA build, several GB), then the `bench` extra:

    .venv/bin/pip install torch==2.13.0
    .venv/bin/pip install -e '.[bench]'
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from autograd import grad
from nn_ode_problems import PROBLEMS, BenchProblem, reference
from nn_ode_student import trial_and_cost

from solverq.plugins.builtin.nn_ode import NeuralODEPlugin
from solverq.solvers.nn_ode import NeuralODESettings, max_abs_error, solve

GAMMA = 2.0
TARGET = 1e-5
CHECK_EVERY = 100
GRID = np.linspace(0.0, 1.0, 1001)
EXACT = np.exp(-GAMMA * GRID)
BENCH = Path(__file__).resolve().parent


@dataclass
class Outcome:
    """How far a peer got: the error, iterations and time when it first reached the target
    (or its best error and the whole budget when it did not)."""

    name: str
    reached: bool
    error: float
    iterations: int
    wall: float
    cpu: float


class Clock:
    """Wall and CPU time of the timed sections only."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0

    def run(self, section: Callable[[], object]) -> object:
        wall, cpu = time.perf_counter(), time.process_time()
        value = section()
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu
        return value


DECAY = {"problem": "decay", "constants": {"gamma": GAMMA}, "x1": 1}
NN_ODE_DECAY = ["-p", "problem=decay", "-p", f"constants.gamma={GAMMA:g}", "-p", "x1=1"]
DAMPED_OSCILLATOR = {
    "rhs": "-exp(-x/5) * cos(x) / 5 - dy / 5 - y",
    "order": 2,
    "exact": "exp(-x/5) * sin(x)",
}
LAGARIS = {
    "decay": DECAY,
    "forced decay": {
        "rhs": "exp(-x/5) * cos(x) - y/5",
        "y0": 0,
        "x1": 2,
        "exact": "exp(-x/5) * sin(x)",
    },
    "damped oscillator ivp": {**DAMPED_OSCILLATOR, "y0": 0, "dy0": 1, "x1": 2},
    "damped oscillator bvp": {
        **DAMPED_OSCILLATOR,
        "condition": "bvp",
        "ya": 0,
        "yb": float(np.sin(1) * np.exp(-0.2)),
        "x1": 1,
    },
}
"""The problems of Lagaris et al. (1998) as nn-ode parameters."""


def ours(params: dict, seed: int) -> Outcome:
    problem = NeuralODEPlugin.validate(params).ode_problem()
    clock = Clock()
    result = clock.run(lambda: solve(problem, NeuralODESettings(seed=seed)))
    error = max_abs_error(result, problem.exact, np.linspace(problem.x0, problem.x1, 1001))
    return Outcome(
        "nn-ode (BFGS)", error <= TARGET, error, result.iterations, clock.wall, clock.cpu
    )


def seed_statistics(seeds: int) -> None:
    """nn-ode's default settings on each problem of Lagaris et al., seed by seed."""
    print(f"nn-ode, default settings, seeds 0..{seeds - 1} (median / worst):")
    for name, params in LAGARIS.items():
        runs = [ours(params, seed) for seed in range(seeds)]
        cpus = [run.cpu for run in runs]
        iterations = [run.iterations for run in runs]
        print(
            f"  {name:22} max error <= {TARGET:g} in {sum(run.reached for run in runs)} of "
            f"{seeds}, worst {max(run.error for run in runs):.2e}; cpu {np.median(cpus):.3f} / "
            f"{max(cpus):.3f} s; iterations {int(np.median(iterations))} / {max(iterations)}"
        )


def defaults_row(problem: BenchProblem) -> str:
    """nn-ode's defaults on `problem`: max error, converged, estimated error, wall and CPU s."""
    params = NeuralODEPlugin.validate(problem.params)
    ode = params.ode_problem()
    x = np.linspace(ode.x0, ode.x1, 2001)
    exact = reference(problem.params, x)
    clock = Clock()
    result = clock.run(lambda: solve(ode, params.settings()))
    error = float(np.abs(result.solution(x) - exact).max())
    converged = "yes" if result.status.value == "converged" else "no"
    estimate = result.validation.error_estimate if result.validation else float("nan")
    return f"{error:9.1e} {converged:>4} {estimate:9.1e} {clock.wall:6.1f} {clock.cpu:6.1f}"


def neurodiffeq_row(problem: BenchProblem, epochs: int) -> str:
    """NeuroDiffEq's defaults on `problem` for `epochs` epochs: max error, wall and CPU s."""
    import torch
    from neurodiffeq import conditions, diff
    from neurodiffeq.solvers import Solver1D

    torch.manual_seed(0)
    ode = NeuralODEPlugin.validate(problem.params).ode_problem()
    x = np.linspace(ode.x0, ode.x1, 2001)
    exact = reference(problem.params, x)
    solver = Solver1D(
        ode_system=problem.system(torch, diff),
        conditions=problem.conditions(conditions),
        t_min=ode.x0,
        t_max=ode.x1,
    )
    clock = Clock()
    clock.run(lambda: solver.fit(max_epochs=epochs, tqdm_file=None))
    values = solver.get_solution(copy=False)(torch.tensor(x), to_numpy=True)
    values = np.stack(values) if isinstance(values, list) else values[None]
    error = float(np.abs(values - exact).max())
    return f"{error:9.1e} {clock.wall:6.1f} {clock.cpu:6.1f}"


def defaults_table(epochs: int) -> None:
    """Every problem: nn-ode's defaults beside NeuroDiffEq's."""
    try:
        import neurodiffeq  # noqa: F401
        import torch

        torch.set_default_dtype(torch.float64)
        torch.set_num_threads(1)
        peer = True
    except ImportError as error:
        print(f"NeuroDiffEq: not installed ({error}); see this script's docstring")
        peer = False
    print(f"defaults, max error against the reference on 2001 points; NeuroDiffEq {epochs} epochs")
    print(
        f"  {'problem':36} {'nn-ode':>9} {'conv':>4} {'estimate':>9} {'wall s':>6} {'cpu s':>6}"
        + (f"   {'NeuroDiffEq':>11} {'wall s':>6} {'cpu s':>6}" if peer else "")
    )
    for problem in PROBLEMS:
        row = f"  {problem.name:36} {defaults_row(problem)}"
        if peer:
            row += f"   {neurodiffeq_row(problem, epochs):>25}"
        print(row, flush=True)


def train_to_target(
    name: str, step: Callable[[int], None], error: Callable[[], float], budget: float
) -> Outcome:
    """Run `step(CHECK_EVERY)` until the error reaches the target or the budget is spent."""
    clock = Clock()
    iterations = 0
    best = np.inf
    while clock.wall < budget:
        clock.run(lambda: step(CHECK_EVERY))
        iterations += CHECK_EVERY
        current = error()
        best = min(best, current)
        if current <= TARGET:
            return Outcome(name, True, current, iterations, clock.wall, clock.cpu)
    return Outcome(name, False, best, iterations, clock.wall, clock.cpu)


def autograd_adam(budget: float, learning_rate: float = 1e-3) -> Outcome:
    """The textbook implementation: autograd through the network in x and in p, and Adam."""

    trial, cost = trial_and_cost()
    cost_gradient = grad(cost)
    p = np.random.default_rng(0).normal(size=31)
    m, v = np.zeros_like(p), np.zeros_like(p)
    t = [0]

    def step(count: int) -> None:
        nonlocal p
        for _ in range(count):
            t[0] += 1
            g = cost_gradient(p)
            m[:] = 0.9 * m + 0.1 * g
            v[:] = 0.999 * v + 0.001 * g * g
            m_hat, v_hat = m / (1 - 0.9 ** t[0]), v / (1 - 0.999 ** t[0])
            p = p - learning_rate * m_hat / (np.sqrt(v_hat) + 1e-8)

    def error() -> float:
        return float(np.abs(trial(GRID, p) - EXACT).max())

    return train_to_target("autograd + Adam", step, error, budget)


def job_row(rounds: int) -> None:
    """The nn-ode job and the student's version, each beyond its own floor, in new processes."""
    solverq = str(Path(sys.executable).with_name("solverq"))
    commands = {
        "nn-ode job": [solverq, "submit", "nn-ode", *NN_ODE_DECAY, "--wait", "--json"],
        "trivial job": [solverq, "submit", "convolution", "-p", "a=[1]", "-p", "b=[1]", "--wait"],
        "student": [sys.executable, str(BENCH / "nn_ode_student.py")],
        "python + numpy": [sys.executable, "-c", "import numpy"],
    }
    with tempfile.TemporaryDirectory() as folder:
        environment = {**os.environ, "SOLVERQ_DATABASE_URL": f"sqlite:///{folder}/nn.db"}
        environment.pop("SOLVERQ_BROKER_URL", None)
        outputs = {
            name: subprocess.run(
                command, env=environment, check=True, capture_output=True, text=True
            ).stdout
            for name, command in commands.items()
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, command in commands.items():
                start = time.perf_counter()
                subprocess.run(command, env=environment, check=True, capture_output=True)
                times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(values) for name, values in times.items()}
    ours = median["nn-ode job"] - median["trivial job"]
    peer = median["student"] - median["python + numpy"]
    summary = json.loads(outputs["nn-ode job"])["summary"]
    print(f"nn-ode on y' = -{GAMMA:g} y, y(0) = 1 on [0, 1]; medians of {rounds} rounds")
    for name, seconds in median.items():
        print(f"  {name:<16} {seconds * 1e3:8.1f} ms")
    print(f"  nn-ode job beyond the trivial job        {ours * 1e3:8.1f} ms")
    print(f"  student's version beyond python + numpy  {peer * 1e3:8.1f} ms")
    student_error = float(outputs["student"])
    print(f"  max error: nn-ode {summary['max_abs_error']:.1e}, student {student_error:.1e}")
    print(f"  ratio nn-ode / student: {ours / peer:.2f} x   (goal <= 1.0, stretch 0.5)")


def neurodiffeq(budget: float, optimizer: str) -> Outcome | str:
    """NeuroDiffEq's Solver1D on decay, with Adam or L-BFGS; a reason when it is not installed."""
    try:
        import torch
        from neurodiffeq import diff
        from neurodiffeq.conditions import IVP
        from neurodiffeq.generators import Generator1D
        from neurodiffeq.networks import FCNN
        from neurodiffeq.solvers import Solver1D
    except ImportError as error:
        return f"not installed ({error}); see this script's docstring"
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(0)
    net = FCNN(n_input_units=1, n_output_units=1, hidden_units=(10,), actv=torch.nn.Sigmoid)
    if optimizer == "adam":
        chosen = torch.optim.Adam(net.parameters(), lr=1e-3)
    else:
        chosen = torch.optim.LBFGS(
            net.parameters(),
            max_iter=1,  # one iteration per NeuroDiffEq epoch
            history_size=50,
            tolerance_grad=0.0,  # its defaults stop at gradients this problem still needs
            tolerance_change=0.0,
        )
    solver = Solver1D(
        ode_system=lambda u, t: [diff(u, t) + GAMMA * u],
        conditions=[IVP(t_0=0.0, u_0=1.0)],
        t_min=0.0,
        t_max=1.0,
        nets=[net],
        optimizer=chosen,
        train_generator=Generator1D(10, 0.0, 1.0, method="chebyshev2"),
        valid_generator=Generator1D(10, 0.0, 1.0, method="chebyshev2"),
        n_batches_valid=1,
    )
    grid = torch.tensor(GRID)

    def step(count: int) -> None:
        solver.fit(max_epochs=count, tqdm_file=None)

    def error() -> float:
        values = solver.get_solution(copy=False)(grid, to_numpy=True)
        return float(np.abs(values - EXACT).max())

    name = f"NeuroDiffEq + {'Adam' if optimizer == 'adam' else 'L-BFGS'}"
    return train_to_target(name, step, error, budget)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds of nn-ode per problem")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds for each peer")
    parser.add_argument("--epochs", type=int, default=2000, help="NeuroDiffEq's epochs")
    parser.add_argument("--job-row", action="store_true", help="the job against the student's")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of --job-row")
    parser.add_argument("--defaults-only", action="store_true", help="table 0 alone")
    args = parser.parse_args()
    if args.job_row:
        job_row(args.rounds)
        return

    ours(DECAY, 0)  # imports and first calls out of the timing
    defaults_table(args.epochs)
    if args.defaults_only:
        return
    seed_statistics(args.seeds)
    reference = ours(DECAY, 0)
    outcomes: list[Outcome | str] = [reference, autograd_adam(args.budget)]
    outcomes += [neurodiffeq(args.budget, "adam"), neurodiffeq(args.budget, "lbfgs")]
    print(f"\ntime to max error <= {TARGET:g} on decay (seed 0; budget {args.budget:g} s):")
    print(
        f"  {'peer':24} {'reached':>8} {'error':>9} {'iterations':>10} {'wall s':>8} "
        f"{'cpu s':>8} {'ratio':>8}"
    )
    for outcome in outcomes:
        if isinstance(outcome, str):
            print(f"  NeuroDiffEq: {outcome}")
            continue
        ratio = outcome.wall / reference.wall
        shown = f"{ratio:8.1f}" if outcome.reached else f">{ratio:7.1f}"
        print(
            f"  {outcome.name:24} {'yes' if outcome.reached else 'no':>8} {outcome.error:9.2e} "
            f"{outcome.iterations:10d} {outcome.wall:8.3f} {outcome.cpu:8.3f} {shown}"
        )


if __name__ == "__main__":
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        main()
    else:
        with threadpool_limits(limits=1, user_api="blas"):
            main()
