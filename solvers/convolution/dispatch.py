"""The entry point: plan a convolution, convert the inputs to its arithmetic, run its method."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from solverq.solvers.convolution.arithmetic import FLOAT64, convert
from solverq.solvers.convolution.direct import direct_convolve
from solverq.solvers.convolution.fft import fft_convolve
from solverq.solvers.convolution.planning import Plan, plan_convolution
from solverq.solvers.convolution.toeplitz import toeplitz_convolve
from solverq.solvers.convolution.windows import MODES

SMALL_MULTIPLY_ADDS = 2**15


@dataclass(slots=True)
class ConvolutionResult:
    """The convolution's output and the method that computed it (direct, toeplitz or fft)."""

    output: np.ndarray
    method: str


def convolve(
    a: ArrayLike,
    b: ArrayLike,
    mode: str = "full",
    method: str = "auto",
    progress: Callable[[float, str], None] | None = None,
) -> ConvolutionResult:
    """The convolution s_t = Σ_i a_i b_{t-i} of two 1-D or two 2-D arrays.

    `mode` (full, same, valid) sizes the output exactly as numpy.convolve (1-D) and
    scipy.signal.convolve2d (2-D) do; `method` is auto, direct, toeplitz or fft. Integer inputs
    give exact integers (int64, or Python integers beyond it), anything else float64 or
    complex128. Bad inputs raise `ValueError`.
    """
    a, b = np.asarray(a), np.asarray(b)
    if (
        method == "auto"
        and a.dtype == b.dtype == FLOAT64
        and a.ndim == b.ndim == 1
        and 0 < a.size * b.size <= SMALL_MULTIPLY_ADDS
        and mode in MODES
    ):
        # Below a few ten thousand multiply-adds numpy.convolve's compiled loop beats any FFT,
        # and planning would cost more than the sums: the plan would be this one anyway.
        return ConvolutionResult(np.convolve(a, b, mode), "direct")  # type: ignore[call-overload]
    return run(plan_convolution(a, b, mode, method), a, b, progress)


def run(
    plan: Plan,
    a: np.ndarray,
    b: np.ndarray,
    progress: Callable[[float, str], None] | None = None,
) -> ConvolutionResult:
    """Carry out `plan` on the inputs it was made for."""
    a, b = convert(a, plan.arithmetic), convert(b, plan.arithmetic)
    if plan.method == "fft":
        output = fft_convolve(
            a.astype(FLOAT64, copy=False) if plan.arithmetic.is_integer else a,
            b.astype(FLOAT64, copy=False) if plan.arithmetic.is_integer else b,
            plan.window,
            plan.fft_length,
            progress,
        )
        if plan.arithmetic.is_integer:
            output = np.rint(output).astype(plan.arithmetic.dtype)
    elif plan.method == "toeplitz":
        output = toeplitz_convolve(a, b, plan.window, progress)
    elif plan.compiled_loop:
        output = np.convolve(a, b, plan.mode)  # type: ignore[call-overload]
    else:
        output = direct_convolve(a, b, plan.window, progress)
    if progress is not None:
        progress(1.0, f"{plan.method}: done")
    return ConvolutionResult(np.ascontiguousarray(output), plan.method)
