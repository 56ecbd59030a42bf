"""Raising an exception in another thread, as the heartbeat stops a job whose row it lost."""

from __future__ import annotations

import threading
import time

import pytest

from solverq.plugins.errors import JobCancelled
from solverq.worker import heartbeat


def test_the_exception_reaches_the_thread_named_and_only_it() -> None:
    started = threading.Event()
    outcomes: dict[str, str] = {}

    def run(name: str) -> None:
        started.set()
        deadline = time.monotonic() + 5.0
        try:
            while time.monotonic() < deadline:
                pass
            outcomes[name] = "ran to the end"
        except JobCancelled:
            outcomes[name] = "cancelled"

    target = threading.Thread(target=run, args=("target",))
    bystander = threading.Thread(target=run, args=("bystander",))
    target.start()
    started.wait()
    assert heartbeat._raise_in_thread(target.ident, JobCancelled)
    bystander.start()
    target.join()
    bystander.join()
    assert outcomes == {"target": "cancelled", "bystander": "ran to the end"}


def test_a_thread_that_has_ended_is_reported_as_gone() -> None:
    ended = threading.Thread(target=lambda: None)
    ended.start()
    ended.join()
    assert not heartbeat._raise_in_thread(ended.ident, JobCancelled)


def test_an_exception_that_reached_several_threads_is_taken_back(monkeypatch) -> None:
    calls: list[tuple[int, object]] = []

    def set_async_exc(thread, exception) -> int:
        calls.append((thread.value, exception))
        return 2

    monkeypatch.setattr(heartbeat, "_set_async_exc", set_async_exc)
    with pytest.raises(SystemError, match="reached 2 threads; taken back from all of them"):
        heartbeat._raise_in_thread(1234, JobCancelled)
    assert [thread for thread, _ in calls] == [1234, 1234]
    assert calls[0][1].value is JobCancelled and calls[1][1] is None
