"""Forward Euler: solverq's compiled path against the same loop in C (gcc -O2).

    .venv/bin/python bench/euler.py [--steps 1000000] [--job-steps 2000000] [--repeats 7]
                                    [--skip-numpy] [--only oscillator|decay|backward|cli]

1. The oscillator, 2 10^6 steps: the hand-written C loop of bench/euler_oscillator.c (compiled
   here with gcc -O2), solverq's generated loop alone, the plugin's whole solve (validation,
   problem, stability check, loop, exact solution at every point, errors, arrays) and the whole
   embedded job (the solve stored in a SQLite job store), as medians of alternating rounds.
   Ratios are against the C loop (the goal for the job: at most 5); the final y must agree with
   the C program's. The jobs are deleted after each round, their files with them.
2. Decay, 10^6 steps: the compiled path against the numpy path and the closed form
   y0 (1 - gamma dx)^i.
3. Backward Euler on the oscillator, 10^6 steps, against forward Euler: the plugin's whole
   solve for each method, alternating, as the median of the repeats (the goal: at most 3x);
   the compiled Newton loop must reproduce the numpy loop's final state.
4. `solverq submit euler -p problem=decay -p n=1000000 --wait` end to end in a new process
   (process start included), next to the same command for 10 steps (mostly start-up).

Timings are the best of the repeats unless said otherwise.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from solverq.plugins.builtin.euler import EulerPlugin
from solverq.plugins.builtin.ode_problem import build_problem
from solverq.solvers.ode.equations import expression_problem
from solverq.solvers.ode.euler_backward import backward_euler
from solverq.solvers.ode.euler_forward import forward_euler
from solverq.solvers.ode.euler_native import native_kernel
from solverq.solvers.ode.stepping import Grid
from solverq.solvers.outcome import no_progress
from solverq.worker import service
from solverq.worker.settings import Settings
from solverq.worker.store.factory import job_store

BENCH = Path(__file__).resolve().parent
C_PROGRAM = BENCH / "euler_oscillator.c"


def best_time(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def compile_c_loop(folder: Path) -> Path:
    compiler = os.environ.get("CC") or shutil.which("gcc") or "cc"
    program = folder / "euler_oscillator"
    subprocess.run([compiler, "-O2", "-o", str(program), str(C_PROGRAM), "-lm"], check=True)
    return program


def run_c_loop(program: Path, steps: int) -> tuple[float, float]:
    """The C loop's time (best of 3 runs in one process) and its final y."""
    output = subprocess.run(
        [str(program), str(steps), "3"], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(output[0]), float(output[1])


def oscillator(steps: int, repeats: int, folder: Path) -> None:
    """The rounds alternate between the C program and solverq, so that a change in the
    machine's load shows on both sides."""
    params = {"problem": "oscillator", "n": steps}
    program = compile_c_loop(folder)
    problem = build_problem(EulerPlugin.validate(params))
    grid = Grid.over(problem, steps)
    kernel = native_kernel(problem, "forward", grid)
    assert kernel is not None, "no compiled kernel: is there a C compiler?"
    settings = Settings(f"sqlite:///{folder / 'bench.db'}", None, 3600.0)

    def loop_only() -> np.ndarray:
        z = np.empty((2, steps + 1, 1, 1))  # planes y, y' (solvers.ode.stepping)
        z[:, 0] = [[[1.0]], [[0.0]]]
        kernel(0, steps, z)
        return z

    def plugin_solve() -> object:
        return EulerPlugin().solve(EulerPlugin.validate(params), {}, no_progress)

    def embedded_job() -> object:
        return service.submit("euler", params, settings=settings)

    final, result = loop_only()[0, -1, 0, 0], plugin_solve()
    embedded_job()
    times: dict[str, list[float]] = {"c": [], "loop": [], "solve": [], "job": []}
    for _ in range(repeats):
        c_seconds, c_final = run_c_loop(program, steps)
        times["c"].append(c_seconds)
        for name, run in (("loop", loop_only), ("solve", plugin_solve), ("job", embedded_job)):
            times[name].append(best_time(run, 1))
        # As the C program's memory goes back to the system when it exits, the jobs' files
        # go: a store that only grows would time the system's first use of each new page.
        store = job_store(settings)
        store.delete([job.id for job in store.list(plugin="euler")])
    best = {name: statistics.median(values) for name, values in times.items()}

    print(f"oscillator, forward Euler, {steps} steps (median of {repeats} alternating rounds)")
    rows = [
        ("c", "C loop, gcc -O2 (bench/euler_oscillator.c)"),
        ("loop", "solverq generated loop alone"),
        ("solve", "solverq plugin solve (whole computation)"),
        ("job", "solverq embedded job (solve + SQLite store)"),
    ]
    for name, label in rows:
        seconds = best[name]
        print(f"  {label:<46} {seconds * 1e3:9.1f} ms   {seconds / best['c']:6.2f} x C")
    print(f"  final y: C {c_final!r}, solverq {float(final)!r}, equal: {c_final == final}")
    print(f"  summary y_end {result.summary['y_end']!r}, engine {result.summary['engine']}")
    print(f"  max_abs_error {result.summary['max_abs_error']:.3e} against the closed form")


def decay(steps: int, repeats: int, numpy_path: bool) -> None:
    gamma, y0 = 1.0, 1.0
    problem = expression_problem(
        ["-gamma * y"], order=1, x0=0.0, x1=5.0, y0=np.array([y0]), constants={"gamma": gamma}
    )
    compiled = forward_euler(problem, steps)
    seconds = best_time(lambda: forward_euler(problem, steps), repeats)
    dx = 5.0 / steps
    closed = y0 * (1 - gamma * dx) ** np.arange(steps + 1)
    deviation = np.abs(compiled.y[:, 0, 0] - closed) / closed
    print(f"\ndecay, forward Euler, {steps} steps, gamma = {gamma}, dx = {dx}")
    print(f"  compiled path ({compiled.engine})  {seconds * 1e3:9.1f} ms")
    print(f"  max relative deviation from y0 (1 - gamma dx)^i: {deviation.max():.3e}")
    print(f"  (rounding: i eps at the last step is {steps * np.finfo(float).eps:.1e})")
    if numpy_path:
        start = time.perf_counter()
        stepped = forward_euler(problem, steps, native=False)
        numpy_seconds = time.perf_counter() - start
        difference = np.abs(compiled.y - stepped.y).max() / np.abs(stepped.y).max()
        print(f"  numpy path ({stepped.engine})    {numpy_seconds * 1e3:9.1f} ms")
        print(f"  compiled / numpy speed-up: {numpy_seconds / seconds:.0f} x")
        print(f"  max difference compiled - numpy, relative: {difference:.3e}")


def backward(steps: int, repeats: int, numpy_steps: int) -> None:
    """Backward against forward Euler, each as the plugin's whole solve."""
    solves = {
        method: functools.partial(
            EulerPlugin().solve,
            EulerPlugin.validate({"problem": "oscillator", "n": steps, "method": method}),
            {},
            no_progress,
        )
        for method in ("forward", "backward")
    }
    results = {method: solve() for method, solve in solves.items()}
    times: dict[str, list[float]] = {method: [] for method in solves}
    for _ in range(repeats):
        for method, solve in solves.items():
            times[method].append(best_time(solve, 1))
    median = {method: statistics.median(values) for method, values in times.items()}
    print(f"\noscillator, {steps} steps, plugin solve (median of {repeats} alternating rounds)")
    for method in solves:
        engine = results[method].summary["engine"]
        print(f"  {method:<9} Euler ({engine})  {median[method] * 1e3:9.1f} ms")
    print(f"  backward / forward: {median['backward'] / median['forward']:.2f} x   (goal <= 3)")
    problem = build_problem(EulerPlugin.validate({"problem": "oscillator", "n": numpy_steps}))
    compiled = backward_euler(problem, numpy_steps)
    stepped = backward_euler(problem, numpy_steps, native=False)
    difference = np.abs(compiled.y - stepped.y).max() / np.abs(stepped.y).max()
    print(f"  {numpy_steps} steps, compiled against numpy loop: max relative {difference:.1e}")


def command_line(steps: int, repeats: int, folder: Path) -> None:
    solverq = Path(sys.executable).with_name("solverq")
    environment = {**os.environ, "SOLVERQ_DATABASE_URL": f"sqlite:///{folder / 'cli.db'}"}
    environment.pop("SOLVERQ_BROKER_URL", None)

    def run(n: int) -> None:
        command = [str(solverq), "submit", "euler", "-p", "problem=decay", "-p", f"n={n}"]
        subprocess.run([*command, "--wait"], check=True, env=environment, capture_output=True)

    run(steps)
    print(f"\nsolverq submit euler -p problem=decay -p n=N --wait, new process (best of {repeats})")
    for n in (steps, 10):
        print(f"  n = {n:<10} {best_time(lambda n=n: run(n), repeats) * 1e3:9.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--job-steps", type=int, default=2_000_000, help="steps of part 1")
    parser.add_argument("--only", choices=["oscillator", "decay", "backward", "cli"])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--skip-numpy", action="store_true", help="skip the slow numpy path")
    arguments = parser.parse_args()
    steps, repeats, only = arguments.steps, arguments.repeats, arguments.only
    with tempfile.TemporaryDirectory() as folder:
        if only in (None, "oscillator"):
            oscillator(arguments.job_steps, repeats, Path(folder))
        if only in (None, "decay"):
            decay(steps, repeats, not arguments.skip_numpy)
        if only in (None, "backward"):
            backward(steps, repeats, 20_000)
        if only in (None, "cli"):
            command_line(steps, repeats, Path(folder))


if __name__ == "__main__":
    main()
