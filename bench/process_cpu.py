"""CPU time spent by the processes of a benchmark, by role, read from Linux's /proc.

A rate on two cores is set by the CPU that every process spends per job, not only the
worker's: the process that submits, the worker's main process and its pool processes, the
database server and the broker. `CpuMeter` reads the user and system time of each role before
and after each run, so that `bench/workers.py` can say where each job's CPU went on either side.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
SERVER_ROLES = {"postgres": "PostgreSQL", "redis-server": "Redis"}


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name, or None for a process gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def _cpu_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND  # utime, stime


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def roles_of_worker(main_pid: int) -> Callable[[], dict[str, list[int]]]:
    """The processes by role of a run against the Celery worker whose main process is
    `main_pid`: this process, the worker's main process, its pool processes, PostgreSQL's
    and Redis's server processes (all of them: the benchmark has the servers to itself)."""

    def roles() -> dict[str, list[int]]:
        found: dict[str, list[int]] = {"submitting process": [os.getpid()]}
        found["worker main process"] = [main_pid]
        found["worker pool processes"] = []
        for pid in _all_pids():
            fields = _stat_fields(pid)
            if fields is not None and int(fields[1]) == main_pid:  # its parent
                found["worker pool processes"].append(pid)
            role = SERVER_ROLES.get(_command_name(pid))
            if role is not None:
                found.setdefault(role, []).append(pid)
        return found

    return roles


@dataclass
class CpuMeter:
    """CPU seconds by role, added up over the runs measured. A process that exits during a run is
    not counted: the roles' processes live for the whole run, except the servers' short-lived
    ones."""

    roles: Callable[[], dict[str, list[int]]]
    used: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def measuring(self) -> Iterator[None]:
        """Add the CPU time each role spends during the run inside to `used`."""
        before = {pid: _cpu_seconds(pid) for pids in self.roles().values() for pid in pids}
        yield
        for role, pids in self.roles().items():
            spent = sum(_cpu_seconds(pid) - before.get(pid, 0.0) for pid in pids)
            self.used[role] = self.used.get(role, 0.0) + spent
