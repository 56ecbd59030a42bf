"""The distribution installs one import name, `solverq`, holding every folder of the repository
as a subpackage, and nothing under a second name."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def package_folders() -> dict[str, Path]:
    """Every package below the folders that pyproject.toml maps into `solverq`, by import name."""
    found = {}
    for package, folder in SETUPTOOLS["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            found[".".join([package, *relative.parts])] = init.parent
    return found


def test_every_package_folder_is_listed_for_installation() -> None:
    assert sorted(package_folders()) == sorted(SETUPTOOLS["packages"])


def test_the_wheel_holds_one_top_level_package(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".*", "build", "*.egg-info"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path, source],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("solverq-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        top = {name.split("/")[0] for name in archive.namelist()}
        assert "solverq/plugins/builtin/euler.py" in archive.namelist()
        assert "solverq/worker/migrations/script.py.mako" in archive.namelist()
    assert {name for name in top if not name.endswith(".dist-info")} == {"solverq"}


def test_the_folders_are_not_importable_under_their_own_names(tmp_path: Path) -> None:
    probe = (
        "import importlib.util, solverq.plugins; "
        "print([n for n in ('solvers', 'plugins', 'worker', 'cli') "
        "if importlib.util.find_spec(n) is not None])"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"
