"""How a convolution will run: its arithmetic, its method and, for `auto`, why.

`auto` takes the fastest option the cost model ranks (see `cost`) that fits in memory, except
that it never lets the FFT round integers it cannot round exactly (see `fft`) nor smear a NaN or
infinity over the whole output: then it sums directly, which is exact (integers) or keeps
non-finite values where numpy.convolve does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from solverq.solvers.convolution import cost
from solverq.solvers.convolution.arithmetic import BIG_INTEGER, Arithmetic, choose_arithmetic
from solverq.solvers.convolution.fft import EXACT_ROUNDING_BOUND, rounding_error_bound
from solverq.solvers.convolution.windows import Window, output_window

METHODS = ("auto", "direct", "toeplitz", "fft")


@dataclass(frozen=True)
class Plan:
    """A checked convolution: what it computes in and how (see `cost.Option`), and the seconds
    the cost model expects it to take."""

    method: str
    mode: str
    arithmetic: Arithmetic
    window: Window
    compiled_loop: bool = False
    fft_length: int | None = None
    seconds: float = 0.0


def plan_convolution(
    a: np.ndarray, b: np.ndarray, mode: str = "full", method: str = "auto"
) -> Plan:
    """Check the inputs and choose how to convolve them; `ValueError` says what is wrong."""
    _check_shapes(a, b)
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    window = output_window(a.shape, b.shape, mode)
    arithmetic = choose_arithmetic(a, b)
    terms = math.prod(min(n, m) for n, m in zip(a.shape, b.shape, strict=True))
    entry = cost.entry_bytes(arithmetic, terms)
    ranked = cost.ranked_options(a.shape, b.shape, window, arithmetic.name, entry)
    loop = next(
        option for option in ranked if option.method == "direct" and not option.compiled_loop
    )
    if method == "auto":
        for option in ranked:
            if option.working_bytes <= cost.MEMORY_LIMIT and (
                option.method == "direct" or _fft_problem(a, b, arithmetic, option) is None
            ):
                return Plan(option.method, mode, arithmetic, window, *option[3:], option.seconds)
        raise ValueError(_too_large(loop, window, b.size))
    if method == "fft" and arithmetic.dtype == BIG_INTEGER:
        raise ValueError(
            "method 'fft' cannot be exact for integers beyond int64; "
            "use 'direct' or 'auto' (exact integer arithmetic)"
        )
    if method == "toeplitz":
        working = cost.toeplitz_bytes(window.size, b.size, a.size + b.size, entry)
        option = cost.Option(loop.seconds, working, "toeplitz")  # as many multiply-adds
    elif method == "direct":
        option = loop
    else:
        option = next(o for o in ranked if o.method == "fft")
    if option.working_bytes > cost.MEMORY_LIMIT:
        raise ValueError(_too_large(option, window, b.size))
    problem = None
    if method == "fft":
        problem = _fft_problem(a, b, arithmetic, option)
    elif method == "toeplitz":
        problem = _non_finite(a, b, method)
    if problem:
        raise ValueError(problem)
    return Plan(
        method, mode, arithmetic, window, fft_length=option.fft_length, seconds=option.seconds
    )


def _fft_problem(
    a: np.ndarray, b: np.ndarray, arithmetic: Arithmetic, option: cost.Option
) -> str | None:
    """Why the FFT cannot give the right answer here, or None when it can."""
    if not arithmetic.is_integer:
        return _non_finite(a, b, "fft")
    length = option.fft_length or math.prod(cost.transform_shape(a.shape, b.shape, real=True))
    bound = rounding_error_bound(_norm(a), _norm(b), length)
    if bound >= EXACT_ROUNDING_BOUND:
        return (
            f"method 'fft' cannot guarantee exact integers here (rounding error up to "
            f"{bound:.3g}, at least {EXACT_ROUNDING_BOUND} allowed); use 'direct' or 'auto'"
        )
    return None


def _non_finite(a: np.ndarray, b: np.ndarray, method: str) -> str | None:
    for name, array in (("a", a), ("b", b)):
        if array.dtype.kind in "fc" and not np.isfinite(array).all():
            return (
                f"input '{name}' holds NaN or infinity, which method '{method}' would "
                "spread over the whole output; use 'direct' or 'auto'"
            )
    return None


def _too_large(option: cost.Option, window: Window, b_entries: int) -> str:
    what = (
        f"a {window.size} x {b_entries} Toeplitz matrix"
        if option.method == "toeplitz"
        else f"an output of shape {window.shape}"
    )
    return (
        f"method '{option.method}' would need about {cost.gigabytes(option.working_bytes)} "
        f"for {what}, more than the limit of {cost.gigabytes(cost.MEMORY_LIMIT)}"
    )


def _check_shapes(a: np.ndarray, b: np.ndarray) -> None:
    for name, array in (("a", a), ("b", b)):
        if array.ndim not in (1, 2):
            raise ValueError(
                f"input '{name}' has {array.ndim} dimensions; convolution takes 1-D or 2-D inputs"
            )
        if array.size == 0:
            raise ValueError(f"input '{name}' is empty (shape {array.shape})")
    if a.ndim != b.ndim:
        raise ValueError(
            f"input 'a' is {a.ndim}-D and 'b' is {b.ndim}-D; "
            "both must have the same number of dimensions"
        )


def _norm(array: np.ndarray) -> float:
    """The 2-norm of an integer array, rounded up so that it bounds the exact one."""
    return float(np.linalg.norm(array.astype(np.float64))) * (1 + 1e-12)
