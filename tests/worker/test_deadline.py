"""The time limit of a job run in this process."""

import time

import pytest

from solverq.worker.deadline import Deadline, TimeLimitExceeded


def busy(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pass


def test_code_running_past_the_limit_is_stopped() -> None:
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded), Deadline(0.2):
        busy(10.0)
    assert 0.2 <= time.monotonic() - started < 2.0


def test_code_that_ends_in_time_is_left_alone() -> None:
    with Deadline(0.3):
        busy(0.05)
    busy(0.5)  # no exception arrives after the block
