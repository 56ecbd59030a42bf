"""Forward Euler: solverq's compiled path against the same loop in C (gcc -O2).

    .venv/bin/python bench/bench_euler.py [--steps 1000000] [--repeats 5] [--skip-numpy]

1. The oscillator, 10^6 steps: the hand-written C loop of bench/euler_oscillator.c (compiled
   here with gcc -O2), solverq's generated loop alone, the plugin's whole solve (validation,
   problem, stability check, loop, exact solution at every point, errors, arrays) and the whole
   embedded job (the solve stored in a SQLite job store). Ratios are against the C loop; the
   final y must agree with the C program's.
2. Decay, 10^6 steps: the compiled path against the numpy path and the closed form
   y0 (1 - gamma dx)^i.
3. `solverq submit euler -p problem=decay -p n=1000000 --wait` end to end in a new process
   (process start included), next to the same command for 10 steps (mostly start-up).

Timings are the best of the repeats; the machine's load shows in all of them alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from plugins.builtin.euler import EulerPlugin
from plugins.builtin.ode_problem import build_problem
from plugins.contract import no_progress
from solvers.ode.equations import expression_problem
from solvers.ode.euler_forward import forward_euler
from solvers.ode.euler_native import native_kernel
from solvers.ode.stepping import Grid
from worker import service
from worker.settings import Settings

BENCH = Path(__file__).resolve().parent
C_PROGRAM = BENCH / "euler_oscillator.c"


def best_time(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def c_loop(steps: int, repeats: int, folder: Path) -> tuple[float, float]:
    """The C program's best time and its final y."""
    compiler = os.environ.get("CC") or shutil.which("gcc") or "cc"
    program = folder / "euler_oscillator"
    subprocess.run([compiler, "-O2", "-o", str(program), str(C_PROGRAM), "-lm"], check=True)
    output = subprocess.run(
        [str(program), str(steps), str(repeats)], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(output[0]), float(output[1])


def oscillator(steps: int, repeats: int, folder: Path) -> None:
    params = {"problem": "oscillator", "n": steps}
    c_seconds, c_final = c_loop(steps, repeats, folder)

    problem = build_problem(EulerPlugin.validate(params))
    grid = Grid(problem.x0, (problem.x1 - problem.x0) / steps, steps)
    kernel = native_kernel(problem, "forward", grid)
    assert kernel is not None, "no compiled kernel: is there a C compiler?"

    def loop_only() -> np.ndarray:
        z = np.empty((steps + 1, 2, 1))
        z[0] = [[1.0], [0.0]]
        kernel(0, steps, z)
        return z

    final = loop_only()[-1, 0, 0]
    loop_seconds = best_time(loop_only, repeats)

    def plugin_solve() -> object:
        return EulerPlugin().solve(EulerPlugin.validate(params), {}, no_progress)

    result = plugin_solve()
    solve_seconds = best_time(plugin_solve, repeats)

    settings = Settings(f"sqlite:///{folder / 'bench.db'}", None, 3600.0)
    service.submit("euler", params, settings=settings)
    job_seconds = best_time(lambda: service.submit("euler", params, settings=settings), repeats)

    print(f"oscillator, forward Euler, {steps} steps (best of {repeats})")
    rows = [
        ("C loop, gcc -O2 (bench/euler_oscillator.c)", c_seconds),
        ("solverq generated loop alone", loop_seconds),
        ("solverq plugin solve (whole computation)", solve_seconds),
        ("solverq embedded job (solve + SQLite store)", job_seconds),
    ]
    for name, seconds in rows:
        print(f"  {name:<46} {seconds * 1e3:9.1f} ms   {seconds / c_seconds:6.2f} x C")
    print(f"  final y: C {c_final!r}, solverq {final!r}, equal: {c_final == final}")
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
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-numpy", action="store_true", help="skip the slow numpy path")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        oscillator(arguments.steps, arguments.repeats, Path(folder))
        decay(arguments.steps, arguments.repeats, not arguments.skip_numpy)
        command_line(arguments.steps, arguments.repeats, Path(folder))


if __name__ == "__main__":
    main()
