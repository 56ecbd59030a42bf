"""Integer inputs give exact integers: int64 where it cannot overflow, Python integers beyond,
and the FFT only where its rounding error provably stays below 1/2."""

import numpy as np
import pytest
import scipy.fft
from scipy import signal

from solverq.solvers.convolution import convolve, plan_convolution
from solverq.solvers.convolution.fft import (
    EXACT_ROUNDING_BOUND,
    rounding_error_bound,
    transform_length,
)
from tests.solvers.convolution.references import schoolbook


def exact(a: np.ndarray, b: np.ndarray) -> list[int]:
    return np.convolve(a.astype(object), b.astype(object)).tolist()


def test_auto_rounds_fft_results_to_exact_int64() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.integers(-(10**4), 10**4, 3000), rng.integers(-(10**4), 10**4, 2000)
    assert plan_convolution(a, b).method == "fft"
    result = convolve(a, b)
    assert result.method == "fft" and result.output.dtype == np.int64
    np.testing.assert_array_equal(result.output, np.convolve(a, b))


def test_auto_sums_directly_where_the_fft_would_round_wrongly() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.integers(-(2**26), 2**26, 512), rng.integers(-(2**26), 2**26, 512)
    expected = exact(a, b)
    assert np.rint(signal.fftconvolve(a, b)).astype(np.int64).tolist() != expected
    result = convolve(a, b)
    assert result.method == "direct" and result.output.tolist() == expected
    with pytest.raises(ValueError, match="'fft' cannot guarantee exact integers"):
        convolve(a, b, method="fft")


def test_the_fft_is_exact_up_to_its_rounding_bound() -> None:
    """Inputs of the largest magnitude the bound admits: the unrounded FFT result must be
    within the bound of the exact integers, and auto must still choose the FFT."""
    rng = np.random.default_rng(2)
    n = 4096
    length = transform_length(2 * n - 1, real=True)
    unit = rounding_error_bound(np.sqrt(n), np.sqrt(n), length)
    magnitude = int(np.sqrt(EXACT_ROUNDING_BOUND / unit)) - 1
    a = magnitude * rng.choice([-1, 1], n)
    b = magnitude * rng.choice([-1, 1], n)
    expected = np.convolve(a, b)
    assert plan_convolution(a, b).method == "fft"
    unrounded = convolve(a.astype(float), b.astype(float), method="fft").output
    assert np.abs(unrounded - expected).max() < EXACT_ROUNDING_BOUND
    np.testing.assert_array_equal(convolve(a, b).output, expected)
    assert plan_convolution(2 * a, b).method == "direct"


def test_int64_overflow_switches_to_python_integers() -> None:
    a = np.full(1024, 2**40, dtype=np.int64)
    b = np.array([2**22, 2**22, 3], dtype=np.int64)
    expected = schoolbook(a.tolist(), b.tolist())
    assert np.convolve(a, b).tolist() != expected
    for method in ("auto", "direct", "toeplitz"):
        result = convolve(a, b, method=method)
        assert result.output.dtype == object and result.output.tolist() == expected


@pytest.mark.parametrize("method", ["auto", "direct", "toeplitz"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_python_big_integers_stay_exact(method, mode) -> None:
    a = [3**80, -(2**100), 7, 1]
    b = [2**64 + 1, 5**40]
    result = convolve(np.array(a, dtype=object), np.array(b, dtype=object), mode, method)
    full = schoolbook(a, b)
    expected = {"full": full, "same": full[0:4], "valid": full[1:4]}[mode]
    assert result.output.tolist() == expected
    assert all(type(v) is int for v in result.output.flat)


def test_big_integers_in_2d_stay_exact() -> None:
    a = np.array([[2**70, 1], [-3, 2**65]], dtype=object)
    b = np.array([[5, -(2**80)]], dtype=object)
    expected = [[a[i, 0] * 5, a[i, 0] * -(2**80) + a[i, 1] * 5, a[i, 1] * -(2**80)] for i in (0, 1)]
    assert convolve(a, b).output.tolist() == expected


def test_the_fft_refuses_integers_beyond_int64() -> None:
    with pytest.raises(ValueError, match="cannot be exact for integers beyond int64"):
        convolve(np.array([2**70], dtype=object), np.array([1]), method="fft")


def test_unsigned_integers_beyond_int64_are_exact() -> None:
    a = np.array([2**64 - 1, 2], dtype=np.uint64)
    result = convolve(a, np.array([3], dtype=np.uint64))
    assert result.output.tolist() == [3 * (2**64 - 1), 6]


def test_booleans_count_as_zero_and_one() -> None:
    result = convolve(np.array([True, True, False]), np.array([True, True]))
    assert result.output.dtype == np.int64 and result.output.tolist() == [1, 2, 1, 0]


def test_mixing_big_integers_with_floats_gives_floats() -> None:
    result = convolve(np.array([2**70], dtype=object), np.array([0.5]))
    assert result.output.dtype == np.float64 and result.output.tolist() == [2.0**69]
    with pytest.raises(ValueError, match="too large for a float"):
        convolve(np.array([10**400], dtype=object), np.array([0.5]))


@pytest.mark.parametrize("real", [True, False])
def test_transform_lengths_are_scipys_fast_lengths(real: bool) -> None:
    targets = [*range(1, 3000), *range(10**6 - 40, 10**6 + 40), 2**20 + 1, 3**13 + 1, 10**9 + 7]
    for target in targets:
        assert transform_length(target, real) == scipy.fft.next_fast_len(target, real=real)
