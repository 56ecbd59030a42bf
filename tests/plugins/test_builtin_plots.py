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
    plot_solution(figure, x, y, system=True)
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


def visible_ticks(axis, low: float, high: float) -> list[float]:
    return [tick for tick in axis.get_ticklocs() if low <= tick <= high]


def test_2d_convolution_panels_fill_the_figure_with_whole_number_ticks() -> None:
    from scipy.signal import convolve2d

    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(40, 25)), np.ones((3, 5)) / 15
    output = convolve2d(a, b)
    figure = new_figure()
    plot_convolution(figure, a, b, output)
    figure.draw_without_rendering()
    panels = [axes for axes in figure.axes if axes.get_images()]
    assert [axes.get_title() for axes in panels] == ["a", "b", "output"]
    boxes = [axes.get_position() for axes in panels]
    # side by side, each a quarter of the width or more, together with their colour bars
    # spanning the figure, and as tall as the figure allows
    assert boxes[0].x1 < boxes[1].x0 and boxes[1].x1 < boxes[2].x0
    assert all(box.width > 0.2 and box.height > 0.7 for box in boxes)
    everything = [axes.get_position() for axes in figure.axes]
    assert min(box.x0 for box in everything) < 0.06 and max(box.x1 for box in everything) > 0.94
    for axes, values in zip(panels, (a, b, output), strict=True):
        np.testing.assert_array_equal(axes.get_images()[0].get_array(), values)
        rows, columns = values.shape
        for axis, size in ((axes.xaxis, columns), (axes.yaxis, rows)):
            ticks = visible_ticks(axis, -0.5, size - 0.5)
            assert len(ticks) >= 2 and all(tick == int(tick) for tick in ticks), ticks
            assert min(ticks) >= 0 and max(ticks) <= size - 1
        assert (axes.get_xlabel(), axes.get_ylabel()) == ("column j", "row i")


def test_1d_convolution_indices_have_whole_number_ticks() -> None:
    a, b = np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5])
    figure = new_figure()
    plot_convolution(figure, a, b, np.convolve(a, b))
    figure.draw_without_rendering()
    for axes, size in zip(figure.axes, (3, 3, 5), strict=True):
        low, high = axes.get_xlim()
        assert visible_ticks(axes.xaxis, low, high) == list(range(size))


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


def legend_texts(axes) -> list[str]:
    return [text.get_text() for text in axes.get_legend().get_texts()]


def test_euler_draws_a_batch_one_line_per_starting_point() -> None:
    figure, _ = draw("euler", {"problem": "decay", "y0": [0.5, 1, 2], "n": 10})
    solution, _ = figure.axes
    assert legend_texts(solution) == [
        "y0=0.5",
        "y0=0.5 exact",
        "y0=1",
        "y0=1 exact",
        "y0=2",
        "y0=2 exact",
    ]
    starts = [line.get_ydata()[0] for line in solution.get_lines()[::2]]
    np.testing.assert_allclose(starts, [0.5, 1, 2])


def test_euler_labels_components_and_batched_constants() -> None:
    params = {"rhs": ["y[1]", "-k*y[0]"], "y0": [1, 0], "x1": 1, "n": 10}
    figure, result = draw("euler", {**params, "constants": {"k": [1, 4]}})
    [solution] = figure.axes
    assert legend_texts(solution) == ["y[0], k=1", "y[0], k=4", "y[1], k=1", "y[1], k=4"]
    y = result.arrays["y"]  # (N, m, B)
    order = [(0, 0), (0, 1), (1, 0), (1, 1)]
    for line, (component, problem) in zip(solution.get_lines(), order, strict=True):
        np.testing.assert_array_equal(line.get_ydata(), y[:, component, problem])
    # forward Euler on y'' = -k y: y[0] = 1 - k dx^2 after two steps
    np.testing.assert_allclose(y[2, 0], 1 - np.array([1, 4]) * 0.1**2)
    figure, _ = draw("euler", {**params, "y0": [[1, 0], [0.5, 0]], "constants": {"k": 1}})
    [solution] = figure.axes
    assert legend_texts(solution) == [
        "y[0], y0=[1,0]",
        "y[0], y0=[0.5,0]",
        "y[1], y0=[1,0]",
        "y[1], y0=[0.5,0]",
    ]
    figure, _ = draw("euler", {**params, "constants": {"k": 1}})
    assert legend_texts(figure.axes[0]) == ["y[0]", "y[1]"]


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


def test_a_large_batch_is_drawn_without_a_legend() -> None:
    figure, _ = draw("euler", {"problem": "decay", "y0": list(range(1, 31)), "n": 10})
    solution, _ = figure.axes
    assert len(solution.get_lines()) == 60 and solution.get_legend() is None


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
