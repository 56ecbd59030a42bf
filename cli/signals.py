"""Termination signals handled as Ctrl-C is.

`timeout`, a closed terminal (SIGHUP) or `kill` (SIGTERM) stop a command that runs jobs in this
process the way Ctrl-C does: `KeyboardInterrupt` is raised in it, and the jobs that did not
finish are marked cancelled rather than left running with no process behind them.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOPPING_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextmanager
def signals_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise `KeyboardInterrupt` (main thread only)."""
    previous = {number: signal.signal(number, _interrupt) for number in STOPPING_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _interrupt(number: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(number).name)
