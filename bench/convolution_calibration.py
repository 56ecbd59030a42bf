"""Fit the rates of solvers/convolution/cost.py on this machine.

Times each building block of the convolution methods (numpy.convolve's compiled loop, our direct
loop, FFT convolution whole and by overlap-add blocks) at many shapes, fits the rates of the cost
model's counts by non-negative least squares on relative error, and prints them as they are
written in cost.py, with how far the fitted model is from each measurement.

    python bench/convolution_calibration.py
"""

from __future__ import annotations

import timeit
from collections.abc import Callable, Iterable

import numpy as np
from rich.console import Console
from rich.table import Table
from scipy.optimize import nnls

from solverq.solvers.convolution import cost
from solverq.solvers.convolution.direct import direct_convolve
from solverq.solvers.convolution.fft import fft_convolve
from solverq.solvers.convolution.windows import multiply_adds, output_window

REPEATS = 7

PAIRS_1D = {
    "compiled": [
        (10, 10), (100, 10), (100, 100), (1000, 100), (1000, 1000), (3000, 3000), (10**4, 10),
        (10**4, 1000), (10**5, 10), (10**5, 100), (10**6, 10), (10**6, 100),
    ],
    "direct": [
        (10, 10), (100, 100), (1000, 10), (1000, 300), (10**4, 30), (10**5, 10), (10**6, 10),
        (3000, 3000),
    ],
    "fft": [
        (10, 10), (100, 100), (1000, 1000), (10**4, 10**4), (10**5, 10**5), (10**6, 10**6),
        (10**5, 10), (10**6, 100), (10**6, 3000), (10**5, 1000),
    ],
}  # fmt: skip
SHAPES_2D = {
    "compiled": [],
    "direct": [((200, 200), (3, 3)), ((100, 100), (10, 10)), ((30, 20), (3, 5))],
    "fft": [
        ((300, 300), (60, 60)), ((64, 64), (64, 64)), ((1000, 1000), (10, 10)), ((30, 20), (3, 5)),
    ],
}  # fmt: skip


def best_seconds(function: Callable[[], object]) -> float:
    """The fastest of several timings, each of as many calls as take 0.2 s (timeit's rule)."""
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    return min(timer.repeat(REPEATS, number)) / number


def random_array(rng: np.random.Generator, shape: tuple[int, ...], kind: str) -> np.ndarray:
    if kind == "int64":
        return rng.integers(-100, 100, shape)
    if kind == "big integers":
        values = [int(v) << 70 for v in rng.integers(-100, 100, shape).flat]
        return np.array(values, dtype=object).reshape(shape)
    values = rng.standard_normal(shape)
    return values + 1j * rng.standard_normal(shape) if kind == "complex128" else values


def measurements(rng: np.random.Generator, kind: str, block: str) -> Iterable[tuple]:
    """(counts, seconds) of one building block over its shapes."""
    shapes = [((n,), (m,)) for n, m in PAIRS_1D[block]] + SHAPES_2D[block]
    for shape_a, shape_b in shapes:
        a, b = random_array(rng, shape_a, kind), random_array(rng, shape_b, kind)
        window = output_window(a.shape, b.shape, "full")
        terms = multiply_adds(a.shape, b.shape, window)
        if block == "compiled":
            counts = cost.compiled_loop_counts(window.size, terms)
            yield counts, best_seconds(lambda a=a, b=b: np.convolve(a, b))
        elif block == "direct":
            if kind == "big integers" and terms > 10**6:
                continue
            counts = cost.direct_loop_counts(min(a.size, b.size), terms)
            yield counts, best_seconds(lambda a=a, b=b, w=window: direct_convolve(a, b, w))
        elif a.ndim == 2:
            lengths = tuple(cost.transform_length(s, kind != "complex128") for s in window.shape)
            yield (
                cost.fft_counts(lengths),
                best_seconds(lambda a=a, b=b, w=window: fft_convolve(a, b, w)),
            )
        else:
            n, m = max(a.size, b.size), min(a.size, b.size)
            real = kind != "complex128"
            whole = cost.transform_shape(a.shape, b.shape, real)
            yield (
                cost.fft_counts(whole),
                best_seconds(lambda a=a, b=b, w=window: fft_convolve(a, b, w)),
            )
            for length in cost.overlap_add_lengths(n, m, real)[-4:]:
                blocks = -(-n // (length - m + 1))
                yield (
                    cost.fft_counts((length,), blocks),
                    best_seconds(lambda a=a, b=b, w=window, f=length: fft_convolve(a, b, w, f)),
                )


def fit(rows: list[tuple]) -> tuple[tuple[float, ...], float, float]:
    """Rates minimising the relative error, and the range of predicted / measured."""
    counts = np.array([c for c, _ in rows], dtype=float)
    measured = np.array([s for _, s in rows])
    rates, _ = nnls(counts / measured[:, None], np.ones(len(rows)))
    ratios = counts @ rates / measured
    return tuple(float(r) for r in rates), float(ratios.min()), float(ratios.max())


def main() -> None:
    rng = np.random.default_rng(0)
    console = Console(width=120)
    table = Table("building block", "arithmetic", "rates", "predicted / measured")
    blocks = [
        ("compiled", ["int64", "float64", "complex128"]),
        ("direct", ["int64", "float64", "complex128", "big integers"]),
        ("fft", ["float64", "complex128"]),
    ]
    for block, kinds in blocks:
        for kind in kinds:
            console.print(
                f"timing {block} loop, {kind}" if block != "fft" else f"timing fft, {kind}"
            )
            rates, low, high = fit(list(measurements(rng, kind, block)))
            shown = ", ".join(f"{rate:.2g}" for rate in rates)
            table.add_row(block, kind, f'"{kind}": ({shown}),', f"{low:.2f} .. {high:.2f}")
    console.print(table)


if __name__ == "__main__":
    main()
