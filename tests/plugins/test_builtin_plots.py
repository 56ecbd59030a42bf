"""The figures of the built-in plugins, checked on their data."""

import numpy as np

from solverq.plugins.builtin.plots.convolution import plot_convolution
from solverq.plugins.builtin.plots.ode import plot_solution
from solverq.plugins.builtin.plots.sgd import plot_mse_history
from solverq.plugins.plotting import new_figure


def test_sgd_shows_the_mse_per_epoch_and_the_closed_form() -> None:
    history = np.array([4.0, 1.0, 0.3, 0.11])
    figure = new_figure()
    plot_mse_history(figure, history, 0.1, "adam")
    [axes] = figure.axes
    descent, closed_form = axes.get_lines()
    np.testing.assert_array_equal(descent.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(descent.get_ydata(), history)
    assert list(closed_form.get_ydata()) == [0.1, 0.1]
    assert (axes.get_yscale(), axes.get_xlabel(), axes.get_ylabel()) == ("log", "epoch", "MSE")
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["adam", "closed form"]


def test_an_ode_solution_against_the_exact_one_and_its_error() -> None:
    gamma, dx = 2.0, 0.1
    x = np.arange(11) * dx
    euler = (1 - gamma * dx) ** np.arange(11)
    exact = np.exp(-gamma * x)
    figure = new_figure()
    plot_solution(figure, x, euler, exact)
    solution, error = figure.axes
    computed, reference = solution.get_lines()
    np.testing.assert_array_equal(computed.get_ydata(), euler)
    np.testing.assert_array_equal(reference.get_ydata(), exact)
    [difference] = error.get_lines()
    assert np.isnan(difference.get_ydata()[0])
    np.testing.assert_allclose(difference.get_ydata()[1:], np.abs(euler - exact)[1:])
    assert (error.get_yscale(), error.get_ylabel()) == ("log", "|y - exact|")


def test_a_system_without_an_exact_solution_has_one_line_per_component() -> None:
    x = np.linspace(0, 1, 5)
    y = np.stack([np.cos(x), -np.sin(x)], axis=1)
    figure = new_figure()
    plot_solution(figure, x, y)
    [axes] = figure.axes
    assert [line.get_label() for line in axes.get_lines()] == ["y[0]", "y[1]"]
    np.testing.assert_array_equal(axes.get_lines()[1].get_ydata(), -np.sin(x))


def test_convolution_shows_the_inputs_and_the_output() -> None:
    a, b = np.array([1, 2, 3]), np.array([0, 1, 0.5])
    figure = new_figure()
    plot_convolution(figure, a, b, np.convolve(a, b))
    panels = figure.axes
    assert [axes.get_ylabel() for axes in panels] == ["a", "b", "output"]
    np.testing.assert_array_equal(panels[2].get_lines()[0].get_ydata(), np.convolve(a, b))


def test_complex_and_2d_convolutions() -> None:
    a = np.array([1 + 1j, 2])
    figure = new_figure()
    plot_convolution(figure, a, a, np.convolve(a, a))
    _, imaginary = figure.axes[2].get_lines()
    np.testing.assert_array_equal(imaginary.get_ydata(), np.convolve(a, a).imag)
    image = np.arange(6.0).reshape(2, 3)
    figure = new_figure()
    plot_convolution(figure, image, np.ones((1, 1)), image)
    np.testing.assert_array_equal(figure.axes[0].get_images()[0].get_array(), image)


def draw(plugin_name: str, params: dict, inputs: dict | None = None):
    """Solve with a built-in plugin and draw its figure through the plugin's own hook."""
    from solverq.plugins.registry import get_plugin

    plugin_class = get_plugin(plugin_name).plugin_class
    validated = plugin_class.validate(params, inputs or {})
    plugin = plugin_class()
    result = plugin.solve(validated, inputs or {}, lambda fraction, message="": None)
    figure = new_figure()
    plugin.plot(figure, validated, inputs or {}, result)
    return figure, result


def test_euler_draws_its_solution_against_the_closed_form() -> None:
    figure, result = draw("euler", {"problem": "decay", "constants": {"gamma": 2}, "n": 20})
    solution, error = figure.axes
    computed, reference = solution.get_lines()
    x = result.arrays["x"]
    np.testing.assert_array_equal(computed.get_ydata(), result.arrays["y"])
    np.testing.assert_allclose(reference.get_ydata(), np.exp(-2 * x), rtol=1e-14)
    assert error.get_yscale() == "log"


def test_euler_draws_a_batch_one_line_per_starting_point() -> None:
    figure, _ = draw("euler", {"problem": "decay", "y0": [1, 2, 3], "n": 10})
    solution, _ = figure.axes
    assert len(solution.get_lines()) == 6
    np.testing.assert_allclose(solution.get_lines()[5].get_ydata()[0], 3.0)


def test_nn_ode_draws_its_solution_against_the_closed_form() -> None:
    params = {"rhs": "-2*y", "y0": 1, "x1": 1, "exact": "exp(-2*x)", "eval_points": 11}
    figure, result = draw("nn-ode", params)
    solution, error = figure.axes
    computed, reference = solution.get_lines()
    np.testing.assert_array_equal(computed.get_xdata(), result.arrays["x"])
    np.testing.assert_allclose(reference.get_ydata(), np.exp(-2 * np.linspace(0, 1, 11)))
    assert error.get_yscale() == "log"
    np.testing.assert_allclose(computed.get_ydata(), reference.get_ydata(), atol=1e-5)


def test_convolution_draws_its_inputs_from_parameters_or_data() -> None:
    figure, _ = draw("convolution", {"a": [1, 2, 3]}, {"b": np.array([0.0, 1.0, 0.5])})
    a, b, output = (axes.get_lines()[0].get_ydata() for axes in figure.axes)
    np.testing.assert_array_equal(a, [1, 2, 3])
    np.testing.assert_array_equal(b, [0, 1, 0.5])
    np.testing.assert_array_equal(output, np.convolve([1, 2, 3], [0, 1, 0.5]))


def test_ffnn_draws_its_loss_curves_and_confusion_matrix() -> None:
    figure, result = draw("ffnn", {"data": "breast_cancer", "hidden": [4], "epochs": 3})
    losses, confusion = figure.axes[:2]
    train, test = losses.get_lines()
    np.testing.assert_array_equal(train.get_ydata(), result.arrays["loss_history"])
    np.testing.assert_array_equal(test.get_ydata(), result.arrays["test_loss_history"])
    np.testing.assert_array_equal(
        confusion.get_images()[0].get_array(), result.summary["confusion"]
    )


def test_ffnn_draws_a_fit_on_one_input_over_its_data() -> None:
    figure, result = draw("ffnn", {"data": "polynomial", "hidden": [4], "epochs": 3})
    _, fit = figure.axes
    train, test, curve = fit.get_lines()
    assert len(train.get_xdata()) == 80 and len(test.get_xdata()) == 20
    from solverq.plugins.builtin.ffnn import NetworkPlugin

    params = NetworkPlugin.validate({"data": "polynomial", "hidden": [4], "epochs": 3})
    grid = curve.get_xdata()
    expected = NetworkPlugin().predict(params, result, {"x": grid})["predictions"]
    np.testing.assert_allclose(curve.get_ydata(), expected, rtol=1e-12)
    assert len(grid) == 200
