import numpy as np

from solverq.solvers.regression.data import franke, franke_data, polynomial_data


def test_polynomial_data_without_noise_lies_on_the_polynomial():
    x, y = polynomial_data(50, [1.0, -2.0, 0.5], 0.0, seed=3)
    assert x.min() >= 0.0 and x.max() <= 1.0
    np.testing.assert_allclose(y, 1.0 - 2.0 * x + 0.5 * x**2, rtol=1e-13, atol=1e-15)


def test_polynomial_noise_has_the_given_spread_and_the_seed_reproduces_it():
    x, y = polynomial_data(20_000, [0.0], 0.3, seed=4)
    assert abs(y.std() - 0.3) < 0.01
    again_x, again_y = polynomial_data(20_000, [0.0], 0.3, seed=4)
    np.testing.assert_array_equal(x, again_x)
    np.testing.assert_array_equal(y, again_y)


def test_franke_at_a_hand_evaluated_point():
    # At (2/9, 2/9) the exponents of the four terms are 0, -9/49 - 3/10, -25/4 - 1/4, -4 - 25.
    expected = 0.75 + 0.75 * np.exp(-9 / 49 - 0.3) + 0.5 * np.exp(-6.5) - 0.2 * np.exp(-29.0)
    assert np.isclose(franke(np.array(2 / 9), np.array(2 / 9)), expected, rtol=1e-14, atol=0)


def test_franke_data_samples_the_unit_square():
    inputs, y = franke_data(300, 0.0, seed=5)
    assert inputs.shape == (300, 2)
    assert inputs.min() >= 0.0 and inputs.max() <= 1.0
    np.testing.assert_allclose(y, franke(inputs[:, 0], inputs[:, 1]), rtol=1e-14)
