"""`auto` convolution against numpy.convolve, scipy.signal.fftconvolve and scipy.signal.oaconvolve.

For 1-D float64 inputs of equal lengths 10 .. 10^6, and 10^6 x 100, times every contender and
prints the ratio of auto's time to the fastest peer's (the goal: at most 1.2). Each time is the
best of many short turns taken in rotation (see `best_times`), so that a busy machine slows the
contenders alike and its quiet moments show. numpy.convolve is skipped where its O(n m) loop
would take minutes.

Then a whole embedded job on 10^6 x 10^6 floats read from a `.npz` file, as `solverq submit
convolution --data FILE` runs it (reading the file, storing the inputs, planning, the FFT,
storing the output), against scipy.signal.fftconvolve on the same arrays in memory: the median
of alternating rounds, and its ratio (the goal: at most 2.5).

    python bench/convolution.py [--turns 30] [--job-only] [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy
from rich.console import Console
from rich.table import Table
from scipy import signal

from solverq.cli.inputs import read_data
from solverq.solvers.convolution import convolve, plan_convolution
from solverq.worker import service
from solverq.worker.settings import Settings

CASES = [(10, 10), (100, 100), (10**3, 10**3), (10**4, 10**4), (10**5, 10**5), (10**6, 10**6)]
CASES += [(10**6, 100)]
GOAL = 1.2
JOB_SIZE = 10**6
TURN_SECONDS = 0.005
TIME_PER_CONTENDER = 3.0
MIN_TURNS = 3
MAX_NUMPY_MULTIPLY_ADDS = 2 * 10**10
PEERS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "numpy.convolve": np.convolve,
    "fftconvolve": signal.fftconvolve,
    "oaconvolve": signal.oaconvolve,
}


def best_times(contenders: dict[str, Callable[[], object]], turns: int) -> dict[str, float]:
    """Seconds per call of each contender: the best of its turns.

    Like timeit's autorange, a turn repeats the call enough times to last about TURN_SECONDS,
    but turns are kept short so that on a busy machine some of them run undisturbed; the
    contenders take turns in rotation, each with at most `turns` turns and TIME_PER_CONTENDER
    seconds in all.
    """
    timers = {name: timeit.Timer(function) for name, function in contenders.items()}
    calls, left = {}, {}
    for name, timer in timers.items():
        single = timer.timeit(1)
        calls[name] = max(1, int(TURN_SECONDS / single))
        left[name] = max(MIN_TURNS, min(turns, int(TIME_PER_CONTENDER / (single * calls[name]))))
    best = dict.fromkeys(contenders, float("inf"))
    while any(left.values()):
        for name, timer in timers.items():
            if left[name]:
                left[name] -= 1
                best[name] = min(best[name], timer.timeit(calls[name]) / calls[name])
    return best


def plan_label(a: np.ndarray, b: np.ndarray) -> str:
    plan = plan_convolution(a, b)
    if plan.compiled_loop:
        return "direct (numpy loop)"
    if plan.fft_length is not None and plan.fft_length < a.size + b.size - 1:
        return f"fft (blocks, length {plan.fft_length})"
    return plan.method


def shown(seconds: float | None) -> str:
    if seconds is None:
        return "skipped"
    return f"{seconds * 1e3:.3f} ms" if seconds >= 1e-4 else f"{seconds * 1e6:.1f} µs"


def job_against_fftconvolve(rounds: int) -> None:
    """An embedded job with its arrays from a data file, against fftconvolve in process."""
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(JOB_SIZE), rng.standard_normal(JOB_SIZE)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "signal.npz"
        np.savez(data, a=a, b=b)
        settings = Settings(f"sqlite:///{folder}/bench.db", None, 3600.0)

        def job() -> object:
            return service.submit(
                "convolution", {}, read_data([data], settings.max_input_bytes), settings=settings
            )

        output = service.job_store(settings).result_arrays(job().id)["output"]
        reference = signal.fftconvolve(a, b)
        assert np.allclose(output, reference, rtol=0, atol=1e-9 * np.abs(reference).max())
        times: dict[str, list[float]] = {"job": [], "fftconvolve": []}
        for _ in range(rounds):
            for name, run in (("job", job), ("fftconvolve", lambda: signal.fftconvolve(a, b))):
                start = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - start)
            # The jobs' files go after each round, as fftconvolve's arrays go back to numpy: a
            # store that only grows would time the system's first use of each new page.
            store = service.job_store(settings)
            store.delete([stored.id for stored in store.list(plugin="convolution")])
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"\nconvolution {JOB_SIZE} x {JOB_SIZE} floats (median of {rounds} alternating rounds)")
    print(f"  solverq embedded job, inputs from --data  {median['job'] * 1e3:8.1f} ms")
    print(f"  scipy.signal.fftconvolve in process       {median['fftconvolve'] * 1e3:8.1f} ms")
    print(f"  job / fftconvolve: {median['job'] / median['fftconvolve']:.2f} x   (goal <= 2.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=30, help="most timed turns per contender")
    parser.add_argument("--job-only", action="store_true", help="only the embedded job")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of the embedded job")
    arguments = parser.parse_args()
    if not arguments.job_only:
        table_against_peers(arguments.turns)
    job_against_fftconvolve(arguments.rounds)


def table_against_peers(turns: int) -> None:
    console = Console(width=140)
    load_before = os.getloadavg()[0]
    rng = np.random.default_rng(0)
    table = Table(
        "n x m", "auto runs", "auto", *PEERS, "fastest peer", "auto / fastest", title="1-D float64"
    )
    skipped, misses = [], []
    for n, m in CASES:
        a, b = rng.standard_normal(n), rng.standard_normal(m)
        contenders: dict[str, Callable[[], object]] = {
            "auto": lambda a=a, b=b: convolve(a, b).output
        }
        for name, peer in PEERS.items():
            if name == "numpy.convolve" and n * m > MAX_NUMPY_MULTIPLY_ADDS:
                skipped.append(f"{n} x {m}")
                continue
            contenders[name] = lambda a=a, b=b, peer=peer: peer(a, b)
        reference = signal.fftconvolve(a, b)
        scale = np.abs(reference).max()
        assert np.allclose(convolve(a, b).output, reference, rtol=0, atol=1e-9 * scale)
        times = best_times(contenders, turns)
        fastest = min((name for name in times if name != "auto"), key=times.__getitem__)
        ratio = times["auto"] / times[fastest]
        if ratio > GOAL:
            misses.append(f"{n} x {m}")
        style = "green" if ratio <= GOAL else "red"
        table.add_row(
            f"{n} x {m}",
            plan_label(a, b),
            shown(times["auto"]),
            *(shown(times.get(name)) for name in PEERS),
            fastest,
            f"[{style}]{ratio:.2f}[/{style}]",
        )
    console.print(table)
    if skipped:
        console.print(
            f"numpy.convolve skipped at {', '.join(skipped)}: more than "
            f"{MAX_NUMPY_MULTIPLY_ADDS:.0e} multiply-adds would take minutes per call."
        )
    console.print(
        f"goal auto / fastest peer <= {GOAL}: "
        + (
            f"[red]missed at {', '.join(misses)}[/red]"
            if misses
            else "[green]met everywhere[/green]"
        )
    )
    console.print(
        f"numpy {np.__version__}, scipy {scipy.__version__}, {os.cpu_count()} cores, load average "
        f"{load_before:.1f} before and {os.getloadavg()[0]:.1f} after; best of up to {turns} turns."
    )


if __name__ == "__main__":
    main()
