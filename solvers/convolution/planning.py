"""How a convolution will run: its arithmetic, its method and, for `auto`, why.

`auto` estimates the time of direct summation and of the FFT (see `cost`) and runs the faster,
except that it never lets the FFT round integers it cannot round exactly (see `fft`) nor smear a
NaN or infinity over the whole output: then it sums directly, which is exact (integers) or keeps
non-finite values where numpy.convolve does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from solvers.convolution import cost
from solvers.convolution.arithmetic import BIG_INTEGER, Arithmetic, choose_arithmetic
from solvers.convolution.fft import EXACT_ROUNDING_BOUND, rounding_error_bound
from solvers.convolution.windows import Window, multiply_adds, output_window

METHODS = ("auto", "direct", "toeplitz", "fft")
COMPILED_LOOP_SECONDS = 1.0


@dataclass(frozen=True)
class Plan:
    """A checked convolution: what it computes in and how.

    `compiled_loop`: direct sums by numpy.convolve's compiled 1-D loop, which `auto` runs where
    it is the fastest and short enough to go without progress reports; else our own loop.
    `fft_length`: the transform length of 1-D overlap-add blocks (None: whole transforms).
    """

    method: str
    mode: str
    arithmetic: Arithmetic
    window: Window
    compiled_loop: bool = False
    fft_length: int | None = None


def plan_convolution(
    a: np.ndarray, b: np.ndarray, mode: str = "full", method: str = "auto"
) -> Plan:
    """Check the inputs and choose how to convolve them; `ValueError` says what is wrong."""
    _check_shapes(a, b)
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    window = output_window(a.shape, b.shape, mode)
    arithmetic = choose_arithmetic(a, b)
    planner = _Planner(a, b, mode, window, arithmetic)
    if method == "auto":
        return planner.fastest()
    return planner.explicit(method)


class _Planner:
    """The costs and limits of each method for one pair of inputs."""

    def __init__(
        self, a: np.ndarray, b: np.ndarray, mode: str, window: Window, arithmetic: Arithmetic
    ) -> None:
        self.a, self.b, self.mode, self.window, self.arithmetic = a, b, mode, window, arithmetic
        self.multiply_adds = multiply_adds(a.shape, b.shape, window)
        terms = math.prod(min(n, m) for n, m in zip(a.shape, b.shape, strict=True))
        self.entry = cost.entry_bytes(arithmetic, terms)
        self.input_entries = a.size + b.size

    def fastest(self) -> Plan:
        direct = self.direct(compiled_allowed=True)
        candidates = [(self.direct_seconds(direct), direct)]
        if self.arithmetic.dtype != BIG_INTEGER:
            fft = self.fft()
            candidates.append((self.fft_seconds(fft), fft))
        fitting = [(seconds, plan) for seconds, plan in candidates if self.fits(plan)]
        if not fitting:
            raise ValueError(self.too_large(direct))
        for _, plan in sorted(fitting, key=lambda candidate: candidate[0]):
            if plan.method == "direct" or self.fft_problem(plan) is None:
                return plan
        return direct

    def explicit(self, method: str) -> Plan:
        plan = {"direct": self.direct, "toeplitz": self.toeplitz, "fft": self.fft}[method]()
        if not self.fits(plan):
            raise ValueError(self.too_large(plan))
        problem = None
        if method == "fft":
            problem = self.fft_problem(plan)
        elif method == "toeplitz":
            problem = self.non_finite(method)
        if problem:
            raise ValueError(problem)
        return plan

    def direct(self, compiled_allowed: bool = False) -> Plan:
        """Direct sums; `auto` may hand 1-D ones to numpy.convolve, an explicit 'direct' runs
        our own loop."""
        compiled = (
            compiled_allowed
            and self.a.ndim == 1
            and self.arithmetic.dtype != BIG_INTEGER
            and cost.compiled_direct_seconds(self.arithmetic, self.multiply_adds)
            <= COMPILED_LOOP_SECONDS
        )
        return Plan("direct", self.mode, self.arithmetic, self.window, compiled_loop=compiled)

    def toeplitz(self) -> Plan:
        return Plan("toeplitz", self.mode, self.arithmetic, self.window)

    def fft(self) -> Plan:
        if self.a.ndim > 1 or self.arithmetic.dtype == BIG_INTEGER:
            return Plan("fft", self.mode, self.arithmetic, self.window)
        n, m = max(self.a.size, self.b.size), min(self.a.size, self.b.size)
        lengths = cost.overlap_add_lengths(n, m, self.real)
        best = min(lengths, key=lambda length: self._overlap_add_seconds(length))
        return Plan("fft", self.mode, self.arithmetic, self.window, fft_length=best)

    @property
    def real(self) -> bool:
        return self.arithmetic.dtype.kind != "c"

    def direct_seconds(self, plan: Plan) -> float:
        if plan.compiled_loop:
            return cost.compiled_direct_seconds(self.arithmetic, self.multiply_adds)
        steps = min(self.a.size, self.b.size)
        return cost.loop_direct_seconds(self.arithmetic, steps, self.multiply_adds)

    def fft_seconds(self, plan: Plan) -> float:
        if plan.fft_length is not None:
            return self._overlap_add_seconds(plan.fft_length)
        return cost.fft_seconds(self.kind, self.transform_shape)

    def _overlap_add_seconds(self, length: int) -> float:
        return cost.fft_seconds(self.kind, (length,), self._blocks(length))

    def _blocks(self, length: int) -> int:
        n, m = max(self.a.size, self.b.size), min(self.a.size, self.b.size)
        return -(-n // (length - m + 1))

    @property
    def kind(self) -> str:
        return "float64" if self.real else "complex128"

    @property
    def transform_shape(self) -> tuple[int, ...]:
        return tuple(
            cost.transform_length(n + m - 1, self.real)
            for n, m in zip(self.a.shape, self.b.shape, strict=True)
        )

    def working_bytes(self, plan: Plan) -> int:
        if plan.method == "direct":
            return cost.direct_bytes(self.window.size, self.input_entries, self.entry)
        if plan.method == "toeplitz":
            return cost.toeplitz_bytes(
                self.window.size, self.b.size, self.input_entries, self.entry
            )
        if plan.fft_length is not None:
            lengths, blocks = (plan.fft_length,), self._blocks(plan.fft_length)
        else:
            lengths, blocks = self.transform_shape, 1
        return cost.fft_bytes(lengths, blocks, self.input_entries, self.real)

    def fits(self, plan: Plan) -> bool:
        return self.working_bytes(plan) <= cost.MEMORY_LIMIT

    def too_large(self, plan: Plan) -> str:
        what = (
            f"a {self.window.size} x {self.b.size} Toeplitz matrix"
            if plan.method == "toeplitz"
            else f"an output of shape {self.window.shape}"
        )
        return (
            f"method '{plan.method}' would need about {cost.gigabytes(self.working_bytes(plan))} "
            f"for {what}, more than the limit of {cost.gigabytes(cost.MEMORY_LIMIT)}"
        )

    def fft_problem(self, plan: Plan) -> str | None:
        """Why the FFT cannot give the right answer here, or None when it can."""
        if self.arithmetic.dtype == BIG_INTEGER:
            return (
                "method 'fft' cannot be exact for integers beyond int64; "
                "use 'direct' or 'auto' (exact integer arithmetic)"
            )
        if not self.arithmetic.is_integer:
            return self.non_finite("fft")
        length = plan.fft_length or math.prod(self.transform_shape)
        bound = rounding_error_bound(_norm(self.a), _norm(self.b), length)
        if bound >= EXACT_ROUNDING_BOUND:
            return (
                f"method 'fft' cannot guarantee exact integers here (rounding error up to "
                f"{bound:.3g}, at least {EXACT_ROUNDING_BOUND} allowed); use 'direct' or 'auto'"
            )
        return None

    def non_finite(self, method: str) -> str | None:
        for name, array in (("a", self.a), ("b", self.b)):
            if array.dtype.kind in "fc" and not np.isfinite(array).all():
                return (
                    f"input '{name}' holds NaN or infinity, which method '{method}' would "
                    "spread over the whole output; use 'direct' or 'auto'"
                )
        return None


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
