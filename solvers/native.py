"""Compiling generated C source into a shared library, cached on disk, loaded with ctypes.

The source is compiled once with the system C compiler (`$CC`, else `cc`, `gcc` or `clang`)
and cached in the user's cache directory under a hash of the source, the compiler and the
flags, so a later process loads it without compiling. A library is written to a temporary
name and renamed into place, so concurrent workers never load a half-written file. When no
library can be built, `load_library` returns None and warns once per process: callers then run
their numpy path.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

FLAGS = ("-O2", "-fPIC", "-shared", "-ffp-contract=off")
"""Optimised as `gcc -O2`; no fused multiply-add, so results match numpy's rounding."""
COMPILE_TIMEOUT = 60.0


class NativeCodeWarning(UserWarning):
    """Compiled code is unavailable; the slower numpy path runs instead."""


@functools.cache
def compiler() -> tuple[str, ...] | None:
    """The C compiler command, or None when there is none."""
    given = shlex.split(os.environ.get("CC", ""))
    if given and shutil.which(given[0]):
        return tuple(given)
    for name in ("cc", "gcc", "clang"):
        if shutil.which(name):
            return (name,)
    return None


def cache_directory() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("solverq", appauthor=False)) / "kernels"


@functools.cache
def load_library(source: str) -> ctypes.CDLL | None:
    """The library compiled from `source`, or None (with a one-time warning)."""
    command = compiler()
    if command is None:
        _warn_once("no C compiler found; set CC")
        return None
    digest = hashlib.sha256("\0".join([source, *command, *FLAGS]).encode()).hexdigest()
    path = cache_directory() / f"{digest[:32]}.so"
    try:
        if not path.exists():
            _compile(source, command, path)
        return ctypes.CDLL(str(path))
    except (OSError, subprocess.SubprocessError) as error:
        _warn_once(str(error).strip().splitlines()[0] if str(error).strip() else repr(error))
        return None


def _compile(source: str, command: tuple[str, ...], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        source_file = Path(folder) / "kernel.c"
        source_file.write_text(source)
        library = Path(folder) / path.name
        done = subprocess.run(
            [*command, *FLAGS, "-o", str(library), str(source_file), "-lm"],
            capture_output=True,
            text=True,
            timeout=COMPILE_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            detail = (done.stderr.strip().splitlines() or ["no message"])[0]
            raise OSError(f"{command[0]} failed: {detail}")
        os.replace(library, path)


@functools.cache
def _warn_once(reason: str) -> None:
    warnings.warn(
        f"compiled kernels are unavailable ({reason}); running the slower numpy loop",
        NativeCodeWarning,
        stacklevel=3,
    )
