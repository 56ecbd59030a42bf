"""`auto` convolution against numpy.convolve, scipy.signal.fftconvolve and scipy.signal.oaconvolve.

For 1-D float64 inputs of equal lengths 10 .. 10^6, and 10^6 x 100, times every contender and
prints the ratio of auto's time to the fastest peer's (the goal: at most 1.2). Each time is the
best of many short turns taken in rotation (see `best_times`), so that a busy machine slows the
contenders alike and its quiet moments show. numpy.convolve is skipped where its O(n m) loop
would take minutes.

    python bench/convolution.py [--turns 30]
"""

from __future__ import annotations

import argparse
import os
import timeit
from collections.abc import Callable

import numpy as np
import scipy
from rich.console import Console
from rich.table import Table
from scipy import signal

from solverq.solvers.convolution import convolve, plan_convolution

CASES = [(10, 10), (100, 100), (10**3, 10**3), (10**4, 10**4), (10**5, 10**5), (10**6, 10**6)]
CASES += [(10**6, 100)]
GOAL = 1.2
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=30, help="most timed turns per contender")
    turns = parser.parse_args().turns
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
