"""The package's modules import in a fresh interpreter, and their imports form no cycle.

Imports inside functions count too: they hide a cycle from the interpreter only until the
function runs. Imports under `if TYPE_CHECKING:` do not: they never run.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).parent.parent / "pyproject.toml"
ENTRY_POINT = "solverq.worker.celery_app"
"""The one module that reads the environment when imported (``celery -A``), and what imports it."""


def modules() -> dict[str, Path]:
    """Every module of the package, by name, with its source file: the modules under each folder
    that pyproject.toml installs as a part of it."""
    setuptools = tomllib.loads(PYPROJECT.read_text())["tool"]["setuptools"]
    found = {}
    for root in setuptools["package-dir"]:
        found[root] = Path(importlib.import_module(root).__file__)
        for info in pkgutil.walk_packages(importlib.import_module(root).__path__, f"{root}."):
            spec = importlib.util.find_spec(info.name)
            assert spec is not None and spec.origin is not None
            found[info.name] = Path(spec.origin)
    return found


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that module `name` imports, anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in run_time_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in known else base)
    return {target for target in targets if target in known and target != name}


def run_time_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of the tree but those under `if TYPE_CHECKING:`."""
    found: list[ast.AST] = []
    pending = [tree]
    while pending:
        node = pending.pop()
        found.append(node)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            pending.extend(node.orelse)
        else:
            pending.extend(ast.iter_child_nodes(node))
    return found


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imported(name, path, set(found)) for name, path in found.items()}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the modules along it, or None for a graph without one."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)) is not None:
                return found
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_the_cycle_finder_finds_a_cycle_and_accepts_a_tree() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_imports_between_the_packages_modules_form_no_cycle() -> None:
    graph = import_graph()
    assert "solverq.worker.store.database" in graph["solverq.worker.store.job_store"]
    found = cycle(graph)
    assert found is None, "import cycle: " + " -> ".join(found or [])


WORKER_LAYERS = [
    "solverq.worker.settings",
    "solverq.worker.store",
    "solverq.worker.queue",
    "solverq.worker.reaper",
    "solverq.worker.celery_app",
]
"""The worker's modules from the bottom up: each imports from the worker only what is below it
(the tasks, on top, import whatever they run)."""


def layer(module: str) -> int | None:
    for index, name in enumerate(WORKER_LAYERS):
        if module == name or module.startswith(f"{name}."):
            return index
    return None


def test_the_worker_layers_import_only_the_layers_below_them() -> None:
    for name, targets in import_graph().items():
        level = layer(name)
        if level is None:
            continue
        for target in targets:
            if target.startswith("solverq.worker"):
                below = layer(target)
                assert below is not None and below <= level, f"{name} imports {target}"


def test_only_the_entry_point_and_the_tasks_it_loads_import_it() -> None:
    importers = {name for name, targets in import_graph().items() if ENTRY_POINT in targets}
    assert importers <= {"solverq.worker.tasks", "solverq.cli.worker"}


def test_every_module_imports_in_a_fresh_interpreter_without_reading_the_environment() -> None:
    names = sorted(set(modules()) - {ENTRY_POINT, "solverq.worker.tasks"})
    names = [name for name in names if ".migrations." not in f"{name}."]
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    environment = os.environ | {"SOLVERQ_TIME_LIMIT": "abc", "SOLVERQ_MAX_ATTEMPTS": "none"}
    run = subprocess.run(
        [sys.executable, "-c", script, *names], env=environment, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
