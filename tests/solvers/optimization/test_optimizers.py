import numpy as np
import pytest

from solverq.solvers.optimization.adagrad import Adagrad
from solverq.solvers.optimization.adam import Adam
from solverq.solvers.optimization.batches import MiniBatches
from solverq.solvers.optimization.gd import GradientDescent
from solverq.solvers.optimization.momentum import Momentum
from solverq.solvers.optimization.rmsprop import RMSprop

GRADIENT = np.array([0.5, -2.0, 4.0])


def steps(rule, gradients, eta=0.1):
    theta = np.zeros(3)
    step = rule.start([(3,)])
    for gradient in gradients:
        step([theta], [gradient], eta)
    return theta


def test_gradient_descent_steps_against_the_gradient():
    np.testing.assert_allclose(steps(GradientDescent(), [GRADIENT]), -0.1 * GRADIENT)


def test_momentum_adds_the_decayed_previous_step():
    # v1 = eta g, v2 = gamma eta g + eta g: theta = -(2 + gamma) eta g
    theta = steps(Momentum(0.5), [GRADIENT, GRADIENT])
    np.testing.assert_allclose(theta, -2.5 * 0.1 * GRADIENT, rtol=1e-15)


def test_adagrad_first_step_has_length_eta_per_parameter():
    theta = steps(Adagrad(epsilon=0.0), [GRADIENT])
    np.testing.assert_allclose(theta, -0.1 * np.sign(GRADIENT), rtol=1e-15)


def test_adagrad_second_step_is_scaled_by_the_accumulated_squares():
    theta = steps(Adagrad(epsilon=0.0), [GRADIENT, GRADIENT])
    expected = -0.1 * np.sign(GRADIENT) * (1 + 1 / np.sqrt(2))
    np.testing.assert_allclose(theta, expected, rtol=1e-14)


def test_rmsprop_first_step_divides_by_the_root_of_the_decayed_square():
    theta = steps(RMSprop(rho=0.75, epsilon=0.0), [GRADIENT])
    np.testing.assert_allclose(theta, -0.1 * np.sign(GRADIENT) / np.sqrt(0.25), rtol=1e-14)


def test_adam_corrects_its_averages_for_their_start_at_zero():
    # with the bias correction, m_hat = g and s_hat = g^2 for a constant gradient
    theta = steps(Adam(beta1=0.8, beta2=0.9, epsilon=0.0), [GRADIENT, GRADIENT, GRADIENT])
    np.testing.assert_allclose(theta, -3 * 0.1 * np.sign(GRADIENT), rtol=1e-13)


def test_epsilon_keeps_a_zero_gradient_from_dividing_by_zero():
    for rule in (Adagrad(), RMSprop(), Adam()):
        np.testing.assert_array_equal(steps(rule, [np.zeros(3)]), np.zeros(3))


@pytest.mark.parametrize(("samples", "size", "count"), [(10, 3, 4), (12, 4, 3), (5, 8, 1)])
def test_mini_batches_cover_every_row_once_per_epoch(samples, size, count):
    batches = MiniBatches(samples, size, seed=0)
    assert batches.count == count
    for _ in range(3):
        epoch = list(batches.epoch())
        assert len(epoch) == count
        assert all(len(rows) == min(size, samples) for rows in epoch[:-1])
        np.testing.assert_array_equal(np.sort(np.concatenate(epoch)), np.arange(samples))


def test_mini_batches_reshuffle_every_epoch_reproducibly():
    first, again = MiniBatches(100, 10, seed=4), MiniBatches(100, 10, seed=4)
    orders = [np.concatenate(list(first.epoch())) for _ in range(2)]
    assert not np.array_equal(orders[0], orders[1])
    for order in orders:
        np.testing.assert_array_equal(order, np.concatenate(list(again.epoch())))
    other = np.concatenate(list(MiniBatches(100, 10, seed=5).epoch()))
    assert not np.array_equal(other, orders[0])


@pytest.mark.parametrize(
    "rule", [GradientDescent(), Momentum(0.7), Adagrad(), RMSprop(), Adam()], ids=repr
)
def test_every_rule_moves_several_arrays_as_it_moves_each_alone(rule):
    rng = np.random.default_rng(1)
    shapes = [(3, 2), (2,), (4,)]
    gradients = [[rng.standard_normal(shape) for shape in shapes] for _ in range(4)]
    together = [np.zeros(shape) for shape in shapes]
    step = rule.start(shapes)
    for gradient in gradients:
        step(together, gradient, 0.05)
    for index, shape in enumerate(shapes):
        alone = np.zeros(shape)
        single = rule.start([shape])
        for gradient in gradients:
            single([alone], [gradient[index]], 0.05)
        np.testing.assert_array_equal(together[index], alone)


def test_the_adaptive_rules_recommend_their_textbook_rates():
    assert (Adam.default_eta, RMSprop.default_eta, Adagrad.default_eta) == (0.001, 0.001, 0.01)
    assert GradientDescent.default_eta is None and Momentum.default_eta is None
