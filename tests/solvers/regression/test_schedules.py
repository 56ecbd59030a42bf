import pytest

from solverq.solvers.regression.schedules import Constant, Inverse


def test_constant_rate_never_changes():
    assert [Constant().rate(0.3, t) for t in (0, 1, 10_000)] == [0.3, 0.3, 0.3]


def test_inverse_rate_is_t0_over_t_plus_t1_with_t0_eta_t1():
    schedule = Inverse(t1=50.0)
    t0 = 0.1 * 50.0
    for t in (0, 1, 7, 50, 1000):
        assert schedule.rate(0.1, t) == pytest.approx(t0 / (t + 50.0), rel=1e-15)
    assert schedule.rate(0.1, 0) == pytest.approx(0.1)
    assert schedule.rate(0.1, 50) == pytest.approx(0.05)
