"""Type-check the package with mypy, as configured in pyproject.toml.

mypy does not follow the import hook by which an editable install maps the repository's top
folders into the one package `solverq`. So the folders are linked into build/typecheck/solverq,
where mypy finds every module under the name it is imported by, and each error is reported at
the path of the file in the repository. The test suite's plugin distribution is checked too, as
a third-party plugin written to the contract.

    .venv/bin/python .ci/typecheck.py [mypy options]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "build" / "typecheck"
TEST_PLUGINS = ROOT / "tests" / "fixtures" / "dists" / "testplugins"
"""A third-party plugin distribution, checked too: a plugin typed as the contract asks."""


def link_tree(package_dir: dict[str, str]) -> dict[str, str]:
    """Link the folders into `TREE` as the package installs them; each link's path in the tree,
    by the folder's path in the repository (both relative, ending in a slash)."""
    shutil.rmtree(TREE, ignore_errors=True)
    paths = {}
    for package, folder in sorted(package_dir.items()):
        source, target = ROOT / folder, TREE.joinpath(*package.split("."))
        if any(other.startswith(f"{package}.") for other in package_dir):
            target.mkdir(parents=True)
            for entry in source.iterdir():
                if entry.name != "__pycache__":
                    (target / entry.name).symlink_to(entry)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source, target_is_directory=True)
        paths[f"{target.relative_to(ROOT)}/"] = f"{folder}/"
    return paths


def main() -> int:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    paths = link_tree(setuptools["package-dir"])
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "-p", "solverq", "-m", "solverq_testplugins", *sys.argv[1:]],
        cwd=ROOT,
        env=os.environ | {"MYPYPATH": os.pathsep.join([str(TREE), str(TEST_PLUGINS)])},
        capture_output=True,
        text=True,
    )
    longest_first = sorted(paths, key=len, reverse=True)
    for line in (run.stdout + run.stderr).splitlines():
        for linked in longest_first:
            if line.startswith(linked):
                line = paths[linked] + line[len(linked) :]
                break
        print(line)
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
