import numpy as np
import pytest

from solverq.solvers.preparation.scaling import fit_scaler


@pytest.fixture
def values():
    rng = np.random.default_rng(0)
    return rng.normal([3.0, -1.0, 0.0], [2.0, 0.1, 5.0], (40, 3))


def test_standard_scaling_matches_scikit_learns_standard_scaler(values):
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    scaled = fit_scaler(values, "standard").apply(values)
    np.testing.assert_allclose(
        scaled, preprocessing.StandardScaler().fit_transform(values), rtol=1e-12
    )
    np.testing.assert_allclose(scaled.mean(axis=0), 0.0, atol=1e-14)


def test_minmax_scaling_matches_scikit_learns_minmax_scaler(values):
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    scaler = fit_scaler(values, "minmax")
    np.testing.assert_allclose(
        scaler.apply(values), preprocessing.MinMaxScaler().fit_transform(values), atol=1e-14
    )


def test_the_scaler_fitted_on_training_rows_is_applied_to_others_unchanged(values):
    scaler = fit_scaler(values[:30], "standard")
    np.testing.assert_allclose(
        scaler.apply(values[30:]), (values[30:] - values[:30].mean(0)) / values[:30].std(0)
    )


def test_no_scaling_and_constant_columns_leave_values_finite():
    values = np.column_stack([np.full(5, 7.0), np.arange(5.0)])
    np.testing.assert_array_equal(fit_scaler(values, "none").apply(values), values)
    scaled = fit_scaler(values, "standard").apply(values)
    np.testing.assert_array_equal(scaled[:, 0], 0.0)
