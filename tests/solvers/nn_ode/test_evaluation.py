"""Evaluation in chunks: the same values as one pass, whatever the chunk."""

import numpy as np
import pytest

from solverq.solvers.nn_ode.evaluation import evaluate_in_chunks


def two_rows(x: np.ndarray) -> np.ndarray:
    return np.vstack([np.sin(x), x**2])


@pytest.mark.parametrize("chunk", [1, 7, 100, 101, 1000])
def test_chunks_give_the_values_of_one_pass(chunk: int) -> None:
    x = np.linspace(-1.0, 2.0, 101)
    np.testing.assert_array_equal(evaluate_in_chunks(two_rows, x, chunk), two_rows(x))
    np.testing.assert_array_equal(evaluate_in_chunks(np.cos, x, chunk), np.cos(x))


def test_a_chunk_must_hold_a_point() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        evaluate_in_chunks(np.cos, np.zeros(3), 0)
