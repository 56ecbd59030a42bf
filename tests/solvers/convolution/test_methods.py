"""Every method and mode agrees with numpy.convolve (1-D) and scipy.signal.convolve2d (2-D)."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg, signal

from solverq.solvers.convolution import METHODS, MODES, convolve, plan_convolution
from solverq.solvers.convolution.toeplitz import toeplitz_matrix
from solverq.solvers.convolution.windows import output_window
from tests.solvers.convolution.references import arrays, exact_sums, numpy_mode, schoolbook

EXAMPLES = settings(max_examples=150, deadline=None)


def expected_dtype(a: np.ndarray, b: np.ndarray) -> np.dtype:
    return np.result_type(a.dtype, b.dtype, np.int64)


@EXAMPLES
@given(
    a=arrays(ndim=1, max_side=40),
    b=arrays(ndim=1, max_side=40),
    mode=st.sampled_from(MODES),
    method=st.sampled_from(METHODS),
)
def test_1d_agrees_with_numpy_convolve(a, b, mode, method) -> None:
    expected = np.convolve(a, b, mode)
    result = convolve(a, b, mode, method)
    assert result.output.shape == expected.shape
    assert result.output.dtype == expected_dtype(a, b)
    np.testing.assert_allclose(result.output, expected, rtol=1e-12, atol=1e-10)


@EXAMPLES
@given(
    a=arrays(ndim=2, max_side=7),
    b=arrays(ndim=2, max_side=7),
    mode=st.sampled_from(MODES),
    method=st.sampled_from(METHODS),
)
def test_2d_agrees_with_scipy_convolve2d(a, b, mode, method) -> None:
    try:
        expected = signal.convolve2d(a, b, mode)
    except ValueError:
        with pytest.raises(ValueError, match="mode 'valid' needs one input at least as large"):
            convolve(a, b, mode, method)
        return
    result = convolve(a, b, mode, method)
    assert result.output.shape == expected.shape
    assert result.output.dtype == expected_dtype(a, b)
    np.testing.assert_allclose(result.output, expected, rtol=1e-12, atol=1e-10)


@EXAMPLES
@given(
    a=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=60),
    b=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=60),
    mode=st.sampled_from(MODES),
)
def test_auto_matches_exactly_summed_floats(a, b, mode) -> None:
    # auto hands small float cases to numpy.convolve: check it against exact sums instead.
    a, b = np.array(a), np.array(b)
    expected = [float(s) for s in numpy_mode(exact_sums(a, b), a.size, b.size, mode)]
    result = convolve(a, b, mode)
    assert result.method == "direct"
    np.testing.assert_allclose(result.output, expected, rtol=1e-12, atol=1e-9)


@EXAMPLES
@given(
    a=st.lists(st.integers(-(10**4), 10**4), min_size=1, max_size=60),
    b=st.lists(st.integers(-(10**4), 10**4), min_size=1, max_size=60),
    mode=st.sampled_from(MODES),
    method=st.sampled_from(METHODS),
)
def test_integers_match_the_schoolbook_product_exactly(a, b, mode, method) -> None:
    result = convolve(np.array(a), np.array(b), mode, method)
    assert result.output.dtype == np.int64
    assert result.output.tolist() == numpy_mode(schoolbook(a, b), len(a), len(b), mode)


SHAPES_1D = [(1, 1), (1, 7), (7, 1), (2, 9), (9, 2), (3000, 7), (7, 3000), (2500, 300)]


@pytest.mark.parametrize(("n", "m"), SHAPES_1D)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_1d_shapes_of_every_kind(n, m, mode, method, dtype) -> None:
    rng = np.random.default_rng([n, m])
    a, b = rng.standard_normal(n).astype(dtype), rng.standard_normal(m).astype(dtype)
    if dtype is np.complex128:
        a, b = a + 1j * rng.standard_normal(n), b - 2j * rng.standard_normal(m)
    result = convolve(a, b, mode, method)
    assert result.method == method or method == "auto"
    np.testing.assert_allclose(result.output, np.convolve(a, b, mode), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    ("shape_a", "shape_b"),
    [((1, 1), (1, 1)), ((1, 5), (4, 1)), ((40, 30), (5, 3)), ((5, 3), (40, 30)), ((9, 2), (3, 6))],
)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", METHODS)
def test_2d_shapes_of_every_kind(shape_a, shape_b, mode, method) -> None:
    rng = np.random.default_rng([*shape_a, *shape_b])
    a = rng.standard_normal(shape_a) + 1j * rng.standard_normal(shape_a)
    b = rng.standard_normal(shape_b)
    if mode == "valid" and shape_a in ((1, 5), (9, 2)):
        with pytest.raises(ValueError, match="at least as large as the other"):
            signal.convolve2d(a, b, mode)
        with pytest.raises(
            ValueError, match=re.escape(f"'a' has shape {shape_a} and 'b' {shape_b}")
        ):
            convolve(a, b, mode, method)
        return
    result = convolve(a, b, mode, method)
    expected = signal.convolve2d(a, b, mode)
    np.testing.assert_allclose(result.output, expected, rtol=1e-10, atol=1e-10)


def test_overlap_add_blocks_agree_with_numpy() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(20_000), rng.standard_normal(40)
    plan = plan_convolution(a, b, "full", "fft")
    assert plan.fft_length is not None and plan.fft_length < a.size // 4
    np.testing.assert_allclose(convolve(b, a, "same", "fft").output, np.convolve(b, a, "same"))


def test_the_toeplitz_matrix_is_scipys_toeplitz_of_a() -> None:
    a = np.array([1.0, -2.0, 3.0, 5.0])
    window = output_window(a.shape, (3,), "full")
    column = np.concatenate([a, np.zeros(2)])
    expected = linalg.toeplitz(column, np.zeros(3))
    np.testing.assert_array_equal(toeplitz_matrix(a, (3,), window), expected)
