import numpy as np
import pytest
from numpy.polynomial import polynomial

from solverq.solvers.regression.design import design_width, polynomial_design


def test_one_input_gives_the_vandermonde_matrix_in_increasing_powers():
    x = np.linspace(-1.0, 2.0, 7)
    design, columns = polynomial_design(x[:, np.newaxis], 4, True, ["x"])
    np.testing.assert_allclose(design, polynomial.polyvander(x, 4), rtol=1e-14)
    assert columns == ["1", "x", "x^2", "x^3", "x^4"]
    assert design.flags.c_contiguous


def test_two_inputs_give_all_monomials_up_to_the_total_degree_by_degree():
    rng = np.random.default_rng(1)
    x1, x2 = rng.uniform(size=(2, 9))
    design, columns = polynomial_design(np.column_stack([x1, x2]), 3, True, ["x1", "x2"])
    tensor = polynomial.polyvander2d(x1, x2, [3, 3])  # column 4 i + j holds x1^i x2^j
    order = [(d - j, j) for d in range(4) for j in range(d + 1)]
    np.testing.assert_allclose(design, tensor[:, [4 * i + j for i, j in order]], rtol=1e-14)
    assert columns[:6] == ["1", "x1", "x2", "x1^2", "x1*x2", "x2^2"]
    assert columns[6:] == ["x1^3", "x1^2*x2", "x1*x2^2", "x2^3"]


def test_degree_one_without_intercept_is_the_inputs_as_given():
    inputs = np.arange(12.0).reshape(4, 3)
    design, columns = polynomial_design(inputs, 1, False, ["a", "b", "c"])
    np.testing.assert_array_equal(design, inputs)
    assert columns == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("inputs", "degree", "intercept"), [(1, 5, True), (2, 5, True), (3, 2, False)]
)
def test_width_counts_the_columns(inputs, degree, intercept):
    design, _ = polynomial_design(np.ones((2, inputs)), degree, intercept, list("abc")[:inputs])
    assert design_width(inputs, degree, intercept) == design.shape[1]
