"""One result array of several jobs in one figure, labelled by what differs."""

import pytest

from solverq.plugins.errors import RejectedRequest, SolverqError
from solverq.worker import service
from solverq.worker.overlays import line_labels, overlay_figure
from solverq.worker.sweep_service import submit_sweep


def lines_of(figure) -> dict[str, tuple[list, list]]:
    [axes] = figure.axes
    return {
        line.get_label(): (list(line.get_xdata()), list(line.get_ydata()))
        for line in axes.get_lines()
    }


def test_the_jobs_are_overlaid_and_labelled_by_what_differs(solverq_env, test_plugins) -> None:
    jobs = [service.submit("echo", {"scale": s, "values": [1.0, 2.0]}) for s in (1.0, 10.0, 100.0)]
    figure = overlay_figure([job.id for job in jobs], y="values")
    assert lines_of(figure) == {
        "scale=1.0": ([0, 1], [1.0, 2.0]),
        "scale=10.0": ([0, 1], [10.0, 20.0]),
        "scale=100.0": ([0, 1], [100.0, 200.0]),
    }
    assert figure.axes[0].get_yscale() == "log"
    assert (figure.axes[0].get_xlabel(), figure.axes[0].get_ylabel()) == ("index", "values")


def test_identical_parameters_are_labelled_by_id(solverq_env, test_plugins) -> None:
    jobs = [service.submit("echo", {}) for _ in range(2)]
    assert line_labels(jobs) == [job.id[:12] for job in jobs]
    mixed = [service.submit("echo", {"scale": 2.0}), service.submit("sleep", {"seconds": 0.0})]
    assert line_labels(mixed)[0].startswith("plugin=echo, ")


def test_a_sweep_is_overlaid_against_another_array(solverq_env, test_plugins) -> None:
    sweep = submit_sweep("echo", {"scale": [1.0, 2.0]}, {"values": [3.0, 4.0]})
    figure = overlay_figure(sweep=sweep.id, y="values", x="values")
    assert lines_of(figure) == {
        "scale=1.0": ([3.0, 4.0], [3.0, 4.0]),
        "scale=2.0": ([6.0, 8.0], [6.0, 8.0]),
    }


def test_missing_arrays_and_unfinished_jobs_are_refused(solverq_env, test_plugins) -> None:
    done = service.submit("echo", {})
    failed = service.submit("explode", {"kind": "fail"})
    with pytest.raises(RejectedRequest, match="has no array 'mse' \\(it has: values\\)"):
        overlay_figure([done.id], y="mse")
    with pytest.raises(SolverqError, match="failed: diverged"):
        overlay_figure([done.id, failed.id], y="values")
    with pytest.raises(RejectedRequest, match="not both"):
        overlay_figure([done.id], y="values", sweep="abcd")
