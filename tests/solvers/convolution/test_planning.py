"""How `auto` chooses, what every method refuses, and progress reports."""

import itertools

import numpy as np
import pytest

from solverq.solvers.convolution import convolve, plan_convolution
from solverq.solvers.convolution.cost import MEMORY_LIMIT
from solverq.solvers.convolution.windows import multiply_adds, output_window


@pytest.mark.parametrize(
    ("shape_a", "shape_b", "method"),
    [
        ((10,), (10,), "direct"),
        ((100,), (3,), "direct"),
        ((4000,), (4000,), "fft"),
        ((10**5,), (2000,), "fft"),
        ((200, 200), (3, 3), "direct"),
        ((300, 300), (60, 60), "fft"),
    ],
)
def test_auto_picks_direct_sums_for_small_work_and_the_fft_for_large(
    shape_a, shape_b, method
) -> None:
    assert plan_convolution(np.ones(shape_a), np.ones(shape_b)).method == method


def test_auto_overlap_adds_when_one_input_is_much_shorter() -> None:
    plan = plan_convolution(np.ones(10**6), np.ones(2000))
    assert plan.method == "fft" and plan.fft_length is not None and plan.fft_length < 10**5


def test_auto_sums_non_finite_inputs_directly_like_numpy() -> None:
    a = np.ones(5000)
    a[10], a[4000] = np.nan, np.inf
    b = np.linspace(-1, 1, 3000)
    result = convolve(a, b)
    assert result.method == "direct"
    np.testing.assert_array_equal(result.output, np.convolve(a, b))


@pytest.mark.parametrize("method", ["fft", "toeplitz"])
def test_fft_and_toeplitz_refuse_non_finite_inputs(method) -> None:
    with pytest.raises(
        ValueError, match=f"input 'b' holds NaN or infinity, which method '{method}'"
    ):
        convolve([1.0, 2.0], [1.0, np.inf], method=method)


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        (np.array([]), np.ones(3), r"input 'a' is empty \(shape \(0,\)\)"),
        (np.ones(3), np.zeros((2, 0)), r"input 'b' is empty \(shape \(2, 0\)\)"),
        (
            np.ones((2, 2, 2)),
            np.ones(3),
            "input 'a' has 3 dimensions; convolution takes 1-D or 2-D",
        ),
        (np.float64(3), np.ones(3), "input 'a' has 0 dimensions"),
        (np.ones(3), np.ones((3, 1)), "input 'a' is 1-D and 'b' is 2-D"),
        (np.array(["x", "y"]), np.ones(3), "input 'a' has dtype <U1; numbers are needed"),
        (np.ones(2), np.array([1.5], dtype=object), "only Python integers are allowed"),
    ],
)
def test_bad_inputs_are_refused_with_a_clear_reason(a, b, message) -> None:
    with pytest.raises(ValueError, match=message):
        convolve(a, b)


def test_unknown_modes_and_methods_are_refused() -> None:
    with pytest.raises(ValueError, match="mode must be one of full, same, valid, got 'f'"):
        convolve(np.ones(3), np.ones(30000), mode="f")
    with pytest.raises(ValueError, match="method must be one of auto, direct, toeplitz, fft"):
        convolve([1], [2], method="fastest")


def test_a_toeplitz_matrix_beyond_the_memory_limit_is_refused_before_it_is_built() -> None:
    with pytest.raises(ValueError, match=r"a 199999 x 100000 Toeplitz matrix, more than the"):
        plan_convolution(np.ones(10**5), np.ones(10**5), method="toeplitz")


@pytest.mark.parametrize("method", ["auto", "direct", "fft"])
def test_outputs_beyond_the_memory_limit_are_refused_before_allocating(method) -> None:
    side = int(np.sqrt(MEMORY_LIMIT / 8)) + 1
    huge = np.broadcast_to(1.0, (side, side))
    with pytest.raises(ValueError, match=rf"an output of shape \({2 * side - 1}, {2 * side - 1}\)"):
        plan_convolution(huge, huge, method=method)


def test_long_direct_loops_report_progress_and_can_be_stopped() -> None:
    reports: list[tuple[float, str]] = []
    a, b = np.ones(3000), np.ones(3000)
    convolve(a, b, method="direct", progress=lambda f, m: reports.append((f, m)))
    fractions = [f for f, _ in reports]
    assert len(fractions) >= 3 and fractions == sorted(fractions) and fractions[-1] == 1.0
    assert 0 < fractions[0] < 1 and "direct: 1398 of 3000 shifted copies added" in reports[0][1]

    class Stopped(Exception):
        pass

    def stop(fraction: float, message: str) -> None:
        raise Stopped

    with pytest.raises(Stopped):
        convolve(a, b, method="direct", progress=stop)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize(
    ("shape_a", "shape_b"),
    [((1,), (1,)), ((4,), (7,)), ((9,), (2,)), ((3, 5), (2, 4)), ((2, 6), (5, 6))],
)
def test_multiply_adds_counts_the_terms_of_the_kept_sums(shape_a, shape_b, mode) -> None:
    window = output_window(shape_a, shape_b, mode)
    kept = [range(s, s + n) for s, n in zip(window.start, window.shape, strict=True)]
    terms = sum(
        all(t in k for t, k in zip(np.add(i, j), kept, strict=True))
        for i in itertools.product(*map(range, shape_a))
        for j in itertools.product(*map(range, shape_b))
    )
    assert multiply_adds(shape_a, shape_b, window) == terms
