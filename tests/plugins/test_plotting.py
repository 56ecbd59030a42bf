"""Figures of results, checked on their data (lines, images, scales, labels), not on pixels."""

import numpy as np
import pytest

from solverq.plugins.contract import Plugin, Result
from solverq.plugins.errors import RejectedRequest
from solverq.plugins.plotting import (
    new_figure,
    plot_arrays,
    plot_sweep_heatmap,
    plot_sweep_lines,
    save_figure,
    spans_decades,
)


def test_the_default_plot_draws_each_1d_array_against_its_index() -> None:
    figure = new_figure()
    arrays = {
        "loss": np.array([1.0, 0.1, 0.01]),
        "theta": np.array([[1.0, 2.0]]),
        "names": np.array(["a", "b"]),
        "count": np.array([3, 1, 2]),
    }
    Plugin().plot(figure, None, {}, Result({}, arrays))
    loss, count = figure.axes
    [line] = loss.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2])
    np.testing.assert_array_equal(line.get_ydata(), [1.0, 0.1, 0.01])
    assert (loss.get_ylabel(), loss.get_yscale()) == ("loss", "log")
    assert (count.get_ylabel(), count.get_yscale(), count.get_xlabel()) == (
        "count",
        "linear",
        "index",
    )


def test_the_default_plot_needs_an_array() -> None:
    with pytest.raises(RejectedRequest, match="no 1-D array of numbers to plot"):
        plot_arrays(new_figure(), {"matrix": np.eye(2)})


ROWS = [
    {"eta": eta, "lambda": lam, "mse": eta * 10 + lam if (eta, lam) != (1.0, 0.1) else None}
    for eta in (0.01, 0.1, 1.0)
    for lam in (0.0, 0.1)
]


def test_a_sweep_line_plot_draws_one_line_per_other_value() -> None:
    figure = new_figure()
    plot_sweep_lines(figure, ROWS, "eta", "mse", ["lambda"])
    [axes] = figure.axes
    first, second = axes.get_lines()
    np.testing.assert_allclose(first.get_xdata(), [0.01, 0.1, 1.0])
    np.testing.assert_allclose(first.get_ydata(), [0.1, 1.0, 10.0])
    np.testing.assert_allclose(second.get_xdata(), [0.01, 0.1])
    np.testing.assert_allclose(second.get_ydata(), [0.2, 1.1])
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["lambda=0", "lambda=0.1"]
    assert (axes.get_xscale(), axes.get_yscale()) == ("log", "log")
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("eta", "mse")


def test_a_sweep_over_labels_is_drawn_at_positions() -> None:
    rows = [{"optimizer": name, "mse": mse} for name, mse in (("adam", 2.0), ("sgd", 1.0))]
    figure = new_figure()
    plot_sweep_lines(figure, rows, "optimizer", "mse", [])
    [axes] = figure.axes
    np.testing.assert_array_equal(axes.get_lines()[0].get_xdata(), [0, 1])
    assert [t.get_text() for t in axes.get_xticklabels()] == ["adam", "sgd"]
    assert axes.get_legend() is None and axes.get_yscale() == "linear"


def test_a_sweep_heat_map_has_the_grid_the_keys_and_a_colour_bar() -> None:
    figure = new_figure()
    plot_sweep_heatmap(figure, ROWS, "eta", "lambda", "mse")
    axes, colour_bar = figure.axes
    image = axes.get_images()[0].get_array()
    expected = np.array([[0.1, 1.0, 10.0], [0.2, 1.1, np.nan]])
    np.testing.assert_allclose(image.filled(np.nan), expected)
    assert image.mask.tolist() == [[False, False, False], [False, False, True]]
    assert (axes.get_xlabel(), axes.get_ylabel(), colour_bar.get_ylabel()) == (
        "eta",
        "lambda",
        "mse",
    )
    assert [t.get_text() for t in axes.get_xticklabels()] == ["0.01", "0.1", "1"]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["0", "0.1"]
    assert sorted(t.get_text() for t in axes.texts) == sorted(["0.1", "1", "10", "0.2", "1.1"])


def test_a_large_heat_map_is_not_annotated() -> None:
    rows = [{"a": a, "b": b, "m": a + b} for a in range(20) for b in range(20)]
    figure = new_figure()
    plot_sweep_heatmap(figure, rows, "a", "b", "m")
    assert len(figure.axes[0].texts) == 0
    assert figure.axes[0].get_images()[0].get_array().shape == (20, 20)


def test_spans_decades() -> None:
    assert spans_decades([1e-3, 1e-1]) and not spans_decades([1, 50])
    assert not spans_decades([0.0, 1e3]) and not spans_decades([])


def test_figures_are_written_as_png_or_svg(tmp_path) -> None:
    figure = new_figure()
    plot_arrays(figure, {"y": np.arange(3.0)})
    save_figure(figure, tmp_path / "f.png")
    save_figure(figure, tmp_path / "f.svg")
    assert (tmp_path / "f.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in (tmp_path / "f.svg").read_bytes()[:500]
    with pytest.raises(RejectedRequest, match=r"as \.png or \.svg, not 'f\.pdf'"):
        save_figure(figure, tmp_path / "f.pdf")
    with pytest.raises(RejectedRequest, match="cannot write"):
        save_figure(figure, tmp_path / "missing" / "f.png")
