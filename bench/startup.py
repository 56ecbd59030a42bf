"""Start-up: whole `solverq` processes against python + numpy alone.

    .venv/bin/python bench/startup.py [--repeats 15]

Each round runs, in new processes and in rotation (so that a change in the machine's load
shows on every side): `python -c "import numpy"` (the floor: any job needs numpy), a trivial
embedded job `solverq submit convolution -p a=[1] -p b=[1] --wait`, `solverq list` and
`solverq --help`; and two floors no change within solverq can go below: the import of
SQLAlchemy alone (the job store is built on it) and that of numpy with the stack the project
is built on (SQLAlchemy Core, Typer, the pydantic that Typer parses options with, and rich),
which every command that reads or writes the store imports (`list` too: it asks each listed
job's plugin for its headline metrics). The job store is a SQLite file in a temporary folder,
created by one job before the timing starts, so caches are warm for every side, the bytecode
cache too: the processes may write it (``PYTHONDONTWRITEBYTECODE`` is dropped), as those of an
installed package do. Prints the median and the best wall time of each, the median CPU time
(user and system: less sensitive to the machine's load), and the medians as ratios to the numpy
floor, beside the goals.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOALS = {"submit": 0.4, "list": 0.3, "help": 0.3}
STACK_IMPORTS = "import numpy, sqlalchemy, typer, rich.table; from pydantic import TypeAdapter"
"""What any `submit` or `list` imports whatever solverq's own code does: numpy, and the stack
the project is built on: SQLAlchemy (Core alone, without its ORM), Typer with the part of
pydantic it parses options with (`TypeAdapter`), and rich."""


def commands() -> dict[str, list[str]]:
    solverq = str(Path(sys.executable).with_name("solverq"))
    return {
        "python + numpy": [sys.executable, "-c", "import numpy"],
        "submit": [solverq, "submit", "convolution", "-p", "a=[1]", "-p", "b=[1]", "--wait"],
        "list": [solverq, "list"],
        "help": [solverq, "--help"],
        "sqlalchemy": [sys.executable, "-c", "import sqlalchemy"],
        "stack imports": [sys.executable, "-c", STACK_IMPORTS],
    }


def seconds(command: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """The wall time and the CPU time (user and system) of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, env=environment, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        environment = {**os.environ, "SOLVERQ_DATABASE_URL": f"sqlite:///{folder}/startup.db"}
        environment.pop("SOLVERQ_BROKER_URL", None)
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        runs = commands()
        for command in runs.values():
            seconds(command, environment)
        times: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(arguments.repeats):
            for name, command in runs.items():
                wall, used = seconds(command, environment)
                times[name].append(wall)
                cpu[name].append(used)
    floor = statistics.median(times["python + numpy"])
    cpu_floor = statistics.median(cpu["python + numpy"])
    load = os.getloadavg()[0]
    print(f"whole processes, {arguments.repeats} rounds in rotation (load average {load:.1f})")
    ratio = "x numpy"
    print(f"  {'command':<16} {'median':>9} {'best':>9} {ratio:>8} {'cpu':>9} {ratio:>8}   goal")
    for name, values in times.items():
        median = statistics.median(values)
        used = statistics.median(cpu[name])
        goal = f"<= {GOALS[name]:.1f} s" if name in GOALS else ""
        print(
            f"  {name:<16} {median * 1e3:6.0f} ms {min(values) * 1e3:6.0f} ms "
            f"{median / floor:7.1f}x {used * 1e3:6.0f} ms {used / cpu_floor:7.1f}x   {goal}"
        )


if __name__ == "__main__":
    main()
