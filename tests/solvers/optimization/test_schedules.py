import itertools
import math

import pytest

from solverq.solvers.optimization.schedules import (
    Constant,
    Cosine,
    Exponential,
    Inverse,
    StepDecay,
)


def test_constant_rate_never_changes():
    assert [Constant().rate(0.3, t) for t in (0, 1, 10_000)] == [0.3, 0.3, 0.3]


def test_inverse_rate_is_t0_over_t_plus_t1_with_t0_eta_t1():
    schedule = Inverse(t1=50.0)
    t0 = 0.1 * 50.0
    for t in (0, 1, 7, 50, 1000):
        assert schedule.rate(0.1, t) == pytest.approx(t0 / (t + 50.0), rel=1e-15)
    assert schedule.rate(0.1, 0) == pytest.approx(0.1)
    assert schedule.rate(0.1, 50) == pytest.approx(0.05)


def test_exponential_rate_falls_by_drop_every_t1_updates_smoothly():
    schedule = Exponential(t1=10.0, drop=0.5)
    assert schedule.rate(0.2, 0) == 0.2
    assert schedule.rate(0.2, 10) == pytest.approx(0.1, rel=1e-15)
    assert schedule.rate(0.2, 30) == pytest.approx(0.025, rel=1e-15)
    assert schedule.rate(0.2, 5) == pytest.approx(0.2 * math.exp(-0.5 * math.log(2)), rel=1e-15)


def test_step_rate_is_piecewise_constant_with_the_exponential_at_each_step():
    smooth, steps = Exponential(t1=10.0, drop=0.1), StepDecay(t1=10.0, drop=0.1)
    for t in range(0, 40):
        assert steps.rate(1.0, t) == pytest.approx(smooth.rate(1.0, 10 * (t // 10)), rel=1e-14)
    assert steps.rate(1.0, 9) == 1.0
    assert steps.rate(1.0, 10) == pytest.approx(0.1)


def test_cosine_rate_falls_from_eta_to_zero_over_its_updates():
    schedule = Cosine(updates=100)
    assert schedule.rate(0.4, 0) == 0.4
    assert schedule.rate(0.4, 50) == pytest.approx(0.2, rel=1e-14)
    assert schedule.rate(0.4, 25) == pytest.approx(0.2 * (1 + math.sqrt(0.5)), rel=1e-14)
    assert schedule.rate(0.4, 100) == 0.0
    assert schedule.rate(0.4, 150) == 0.0
    rates = [schedule.rate(0.4, t) for t in range(101)]
    assert all(a >= b for a, b in itertools.pairwise(rates))
