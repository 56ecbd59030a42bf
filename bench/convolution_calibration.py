"""Fit the time constants of solvers/convolution/cost.py on this machine.

Times each building block (numpy.convolve's compiled loop, our direct loop, FFT convolution whole
and by overlap-add blocks) at many sizes, fits the cost model's constants by least squares on
relative error (non-negative), and prints them with how well the model then predicts.

    python bench/convolution_calibration.py
"""

from __future__ import annotations

import math
import timeit
from collections.abc import Callable

import numpy as np
from rich.console import Console
from rich.table import Table
from scipy.optimize import nnls

from solvers.convolution.arithmetic import Arithmetic
from solvers.convolution.cost import overlap_add_lengths
from solvers.convolution.direct import direct_convolve
from solvers.convolution.fft import fft_convolve
from solvers.convolution.windows import output_window

DTYPES = {"int64": np.int64, "float64": np.float64, "complex128": np.complex128}


def best_seconds(function: Callable[[], object], repeats: int = 3) -> float:
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    return min(timer.repeat(repeats, number)) / number


def random_array(rng: np.random.Generator, size: int, kind: str) -> np.ndarray:
    if kind == "int64":
        return rng.integers(-100, 100, size)
    if kind == "object":
        return np.array([int(v) << 70 for v in rng.integers(-100, 100, size)], dtype=object)
    values = rng.standard_normal(size)
    return values + 1j * rng.standard_normal(size) if kind == "complex128" else values


def fit(rows: list[list[float]], seconds: list[float], names: list[str]) -> dict[str, float]:
    """Non-negative least squares on relative error; prints the worst misprediction."""
    design = np.array(rows) / np.array(seconds)[:, None]
    constants, _ = nnls(design, np.ones(len(seconds)))
    predicted = np.array(rows) @ constants
    ratios = predicted / np.array(seconds)
    Console().print(
        f"  predicted / measured: {ratios.min():.2f} .. {ratios.max():.2f} over {len(seconds)} runs"
    )
    return dict(zip(names, constants, strict=True))


def compiled_loop(rng: np.random.Generator, kind: str) -> dict[str, float]:
    rows, seconds = [], []
    for n, m in [(10, 10), (100, 10), (100, 100), (1000, 100), (1000, 1000), (10**5, 10)]:
        a, b = random_array(rng, n, kind), random_array(rng, m, kind)
        seconds.append(best_seconds(lambda a=a, b=b: np.convolve(a, b)))
        rows.append([1.0, n * m])
    return fit(rows, seconds, ["call", "multiply_add"])


def direct_loop(rng: np.random.Generator, kind: str) -> dict[str, float]:
    rows, seconds = [], []
    sizes = [(10, 10), (100, 100), (1000, 10), (1000, 300), (10**4, 30), (10**5, 10)]
    if kind != "object":
        sizes += [(10**6, 10), (3000, 3000)]
    for n, m in sizes:
        a, b = random_array(rng, n, kind), random_array(rng, m, kind)
        window = output_window(a.shape, b.shape, "full")
        seconds.append(best_seconds(lambda a=a, b=b, w=window: direct_convolve(a, b, w)))
        rows.append([1.0, m, n * m])
    return fit(rows, seconds, ["call", "step", "multiply_add"])


def fft_blocks(rng: np.random.Generator, kind: str) -> dict[str, float]:
    rows, seconds = [], []
    for n, m in [(10, 10), (1000, 1000), (10**4, 10**4), (10**5, 10**5), (10**6, 10**6)] + [
        (10**5, 10),
        (10**6, 100),
        (10**6, 3000),
    ]:
        a, b = random_array(rng, n, kind), random_array(rng, m, kind)
        window = output_window(a.shape, b.shape, "full")
        for length in overlap_add_lengths(n, m, kind != "complex128")[-4:]:
            blocks = -(-n // (length - m + 1))
            seconds.append(
                best_seconds(lambda a=a, b=b, w=window, f=length: fft_convolve(a, b, w, f), 2)
            )
            transformed = (2 * blocks + 1) * length
            rows.append([1.0, transformed * math.log2(length), transformed])
    return fit(rows, seconds, ["call", "butterfly", "pointwise"])


def main() -> None:
    rng = np.random.default_rng(0)
    table = Table("building block", "arithmetic", "constant", "seconds per unit")
    for kind in ("int64", "float64", "complex128"):
        Console().print(f"compiled loop, {kind}")
        for name, value in compiled_loop(rng, kind).items():
            table.add_row("compiled loop", kind, name, f"{value:.3g}")
    for kind in ("int64", "float64", "complex128", "object"):
        Console().print(f"direct loop, {kind}")
        for name, value in direct_loop(rng, kind).items():
            table.add_row("direct loop", Arithmetic(np.dtype(DTYPES.get(kind, object))).name, name, f"{value:.3g}")
    for kind in ("float64", "complex128"):
        Console().print(f"fft, {kind}")
        for name, value in fft_blocks(rng, kind).items():
            table.add_row("fft", kind, name, f"{value:.3g}")
    Console().print(table)


if __name__ == "__main__":
    main()
