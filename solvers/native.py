"""Compiling generated C source into a shared library, cached on disk, loaded with ctypes.

The source is compiled once with the system C compiler (`$CC`, else `cc`, `gcc` or `clang`)
and cached in the user's cache directory under a hash of the source, the compiler and the
flags, so a later process loads it without compiling. A library is written to a temporary
name and renamed into place, so concurrent workers never load a half-written file. When no
library can be built, `load_library` returns None and warns once per process: callers then run
their numpy path.

A loop whose iterations are independent (values of an expression at many points) can ask for
vector math: on x86-64 with the GNU C library, gcc then calls glibc's vector functions
(libmvec: several arguments per call, at most 4 ulp from the correctly rounded value, against
1 ulp for the scalar ones), which makes sin, cos, exp, log and pow several times faster. Where
that build fails (another compiler, C library or machine), the plain one is used, and the
failure is remembered in the cache.
"""

from __future__ import annotations

import contextlib
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
VECTOR_MATH_FLAGS = (
    "-DSOLVERQ_VECTOR_MATH",
    "-fopenmp-simd",
    "-fno-math-errno",
    # Kept apart: gcc would join sin(t) and cos(t) into sincos, which it cannot vectorise.
    "-fno-builtin-sin",
    "-fno-builtin-cos",
    "-Wl,-z,defs",
)
"""Added for vector math; ``-z defs`` turns a missing vector function into a build error."""
VECTOR_MATH_DECLARATIONS = """\
#if defined(SOLVERQ_VECTOR_MATH) && defined(__GNUC__) && !defined(__clang__)
#define SOLVERQ_SIMD __attribute__((simd("notinbranch")))
double sin(double) SOLVERQ_SIMD;
double cos(double) SOLVERQ_SIMD;
double exp(double) SOLVERQ_SIMD;
double log(double) SOLVERQ_SIMD;
double pow(double, double) SOLVERQ_SIMD;
#endif
"""
"""Declares the functions of which glibc (2.22 and later) has vector versions, as its header
does only under ``-ffast-math``; for a source that asks for vector math, after ``<math.h>``."""
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
def load_library(source: str, *, vector_math: bool = False) -> ctypes.CDLL | None:
    """The library compiled from `source` (with vector math where it builds, if asked), or None
    (with a one-time warning)."""
    command = compiler()
    if command is None:
        _warn_once("no C compiler found; set CC")
        return None
    if vector_math:
        library = _optional_library(source, command, vector_math_flags())
        if library is not None:
            return library
    try:
        return _cached_library(_library_path(source, command, ()), source, command, ())
    except (OSError, subprocess.SubprocessError) as error:
        _warn_once(str(error).strip().splitlines()[0] if str(error).strip() else repr(error))
        return None


@functools.cache
def vector_math_flags() -> tuple[str, ...]:
    """`VECTOR_MATH_FLAGS`, the vector library, and AVX2 where this machine has it (4 values
    per call instead of 2)."""
    try:
        cpu = Path("/proc/cpuinfo").read_text()
    except OSError:
        cpu = ""
    flags = set(cpu.split("\nflags", 1)[-1].split("\n", 1)[0].split())
    avx2 = ("-mavx2",) if {"avx2", "fma"} <= flags else ()
    return (*VECTOR_MATH_FLAGS, *avx2, "-lmvec")


def _optional_library(
    source: str, command: tuple[str, ...], extra: tuple[str, ...]
) -> ctypes.CDLL | None:
    """The library built with the optional `extra` flags, or None where it does not build or
    load. Such a failure is remembered beside the library's place in the cache, so that later
    processes go straight to the plain build instead of failing to compile again (a compiler
    that ran out of time is not taken for a failure)."""
    path = _library_path(source, command, extra)
    unbuilt = path.with_suffix(".unbuilt")
    if unbuilt.exists():
        return None
    try:
        return _cached_library(path, source, command, extra)
    except OSError as error:
        with contextlib.suppress(OSError):
            unbuilt.write_text(f"{error}\n")
        return None
    except subprocess.SubprocessError:
        return None


def _library_path(source: str, command: tuple[str, ...], extra: tuple[str, ...]) -> Path:
    """Where the library of `source` built by `command` with `extra` flags is cached."""
    digest = hashlib.sha256("\0".join([source, *command, *FLAGS, *extra]).encode()).hexdigest()
    return cache_directory() / f"{digest[:32]}.so"


def _cached_library(
    path: Path, source: str, command: tuple[str, ...], extra: tuple[str, ...]
) -> ctypes.CDLL:
    if not path.exists():
        _compile(source, command, path, extra)
    return ctypes.CDLL(str(path))


def _compile(source: str, command: tuple[str, ...], path: Path, extra: tuple[str, ...]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        source_file = Path(folder) / "kernel.c"
        source_file.write_text(source)
        library = Path(folder) / path.name
        done = subprocess.run(
            [*command, *FLAGS, "-o", str(library), str(source_file), *extra, "-lm"],
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
