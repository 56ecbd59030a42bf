"""Start-up: whole `solverq` processes against python + numpy alone.

    .venv/bin/python bench/startup.py [--repeats 15]

Each round runs, in new processes and in rotation (so that a change in the machine's load
shows on every side): `python -c "import numpy"` (the floor: any job needs numpy), a trivial
embedded job `solverq submit convolution -p a=[1] -p b=[1] --wait`, `solverq list` and
`solverq --help`. The job store is a SQLite file in a temporary folder, created by one job
before the timing starts, so caches are warm for every side. Prints the median and the best of
each, and the medians as ratios to the numpy floor, beside the goals.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOALS = {"submit": 0.4, "list": 0.3, "help": 0.3}


def commands() -> dict[str, list[str]]:
    solverq = str(Path(sys.executable).with_name("solverq"))
    return {
        "python + numpy": [sys.executable, "-c", "import numpy"],
        "submit": [solverq, "submit", "convolution", "-p", "a=[1]", "-p", "b=[1]", "--wait"],
        "list": [solverq, "list"],
        "help": [solverq, "--help"],
    }


def seconds(command: list[str], environment: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=environment, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        environment = {**os.environ, "SOLVERQ_DATABASE_URL": f"sqlite:///{folder}/startup.db"}
        environment.pop("SOLVERQ_BROKER_URL", None)
        runs = commands()
        for command in runs.values():
            seconds(command, environment)
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(arguments.repeats):
            for name, command in runs.items():
                times[name].append(seconds(command, environment))
    floor = statistics.median(times["python + numpy"])
    load = os.getloadavg()[0]
    print(f"whole processes, {arguments.repeats} rounds in rotation (load average {load:.1f})")
    print(f"  {'command':<16} {'median':>9} {'best':>9} {'x numpy':>8}   goal")
    for name, values in times.items():
        median = statistics.median(values)
        goal = f"<= {GOALS[name]:.1f} s" if name in GOALS else ""
        print(
            f"  {name:<16} {median * 1e3:6.0f} ms {min(values) * 1e3:6.0f} ms "
            f"{median / floor:7.1f}x   {goal}"
        )


if __name__ == "__main__":
    main()
