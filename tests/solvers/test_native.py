"""Compiled code: every function of the language compiles to its math.h namesake, libraries
are cached by their source, vector math agrees with numpy and falls back where it cannot be
built, and without a compiler the numpy path runs after one warning."""

import ctypes
import platform
import warnings

import numpy as np
import pytest

from solverq.solvers import native
from solverq.solvers.expressions import FUNCTIONS, Variables, parse
from solverq.solvers.expressions.compiled import compiled_values, grid_values
from solverq.solvers.ode.euler_backward import backward_euler
from solverq.solvers.ode.euler_forward import forward_euler
from tests.solvers.ode.problems import decay

VARIABLES = Variables(scalars=("x", "a"), vectors={"v": 2})


@pytest.fixture
def fresh_native(monkeypatch: pytest.MonkeyPatch, tmp_path):
    """An empty kernel cache, and no library or compiler remembered from earlier tests."""
    monkeypatch.setattr(native, "cache_directory", lambda: tmp_path / "kernels")
    for cached in (native.compiler, native.load_library, native._warn_once):
        cached.cache_clear()
    yield tmp_path / "kernels"
    for cached in (native.compiler, native.load_library, native._warn_once):
        cached.cache_clear()


def test_every_function_compiles_to_the_same_values_as_numpy() -> None:
    x = np.linspace(1.05, 1.95, 31)
    text = " + ".join(
        f"{name}({', '.join(['x / 2'] * FUNCTIONS[name].arity)})" for name in FUNCTIONS
    )
    expression = parse(f"({text}) * a - v[1] ** (x > 1.5) + (v[0] <= x < 1.2) + pi * e", VARIABLES)
    values = {"a": np.array([1.0, -2.0]), "v": np.array([[0.5, 1.5], [3.0, 0.25]])}
    compiled = compiled_values(expression, values, x, 2)
    reference = grid_values(expression, values, x, 2, native=False)
    np.testing.assert_allclose(compiled, reference, rtol=1e-14)
    assert compiled.shape == (31, 2)


def test_a_library_is_compiled_once_and_cached(fresh_native) -> None:
    source = "double twice(double x) { return 2 * x; }\n"
    library = native.load_library(source)
    assert library is not None
    cached = list(fresh_native.glob("*.so"))
    assert len(cached) == 1
    native.load_library.cache_clear()
    modified = cached[0].stat().st_mtime_ns
    assert native.load_library(source) is not None
    assert cached[0].stat().st_mtime_ns == modified
    native.load_library("double thrice(double x) { return 3 * x; }\n")
    assert len(list(fresh_native.glob("*.so"))) == 2


def test_without_a_compiler_the_numpy_loop_runs_after_one_warning(
    fresh_native, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("CC", raising=False)
    with pytest.warns(native.NativeCodeWarning, match="no C compiler found"):
        solution = forward_euler(decay(2.0), 100)
    assert solution.engine == "numpy"
    np.testing.assert_allclose(solution.y[:, 0, 0], (1 - 0.1) ** np.arange(101), rtol=1e-14)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert forward_euler(decay(3.0), 100).engine == "numpy"
        assert backward_euler(decay(3.0), 100).engine == "numpy"


def test_a_failing_compiler_falls_back_with_its_message(
    fresh_native, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CC", "false")
    with pytest.warns(native.NativeCodeWarning, match="false failed"):
        assert native.load_library("int broken(void) { return 0; }\n") is None


GLIBC_X86_64 = platform.machine() == "x86_64" and platform.libc_ver()[0] == "glibc"


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("sin(x)", -1e4, 1e4),
        ("cos(x)", -1e4, 1e4),
        ("exp(x)", -700.0, 700.0),
        ("log(x)", 1e-300, 1e300),
        ("x ** 0.37", 1e-200, 1e200),
    ],
)
def test_vector_math_agrees_with_numpy_over_wide_ranges(text: str, low: float, high: float) -> None:
    """glibc's vector functions are within 4 ulp of the correctly rounded value."""
    x = np.geomspace(low, high, 100_003) if low > 0 else np.linspace(low, high, 100_003)
    expression = parse(text, Variables(scalars=("x",)))
    compiled = compiled_values(expression, {}, x, None)
    reference = grid_values(expression, {}, x, None, native=False)
    assert compiled is not None
    spacing = np.spacing(np.maximum(np.abs(reference), np.finfo(float).tiny))
    assert np.max(np.abs(compiled - reference) / spacing) <= 8


@pytest.mark.skipif(not GLIBC_X86_64, reason="glibc's vector functions are built for x86-64")
def test_an_expression_is_evaluated_with_glibc_vector_functions(fresh_native) -> None:
    compiled_values(parse("sin(x) + cos(2 * x)", Variables(scalars=("x",))), {}, np.ones(8), None)
    [library] = fresh_native.glob("*.so")
    assert b"_ZGV" in library.read_bytes()  # the mangled names of vector functions


def test_vector_math_falls_back_to_the_plain_build_without_a_warning(
    fresh_native, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(native, "vector_math_flags", lambda: ("-lsolverq_no_such_library",))
    source = "#include <math.h>\ndouble wave(double x) { return sin(x); }\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        library = native.load_library(source, vector_math=True)
    assert library is not None
    library.wave.restype = ctypes.c_double
    library.wave.argtypes = [ctypes.c_double]
    assert library.wave(0.5) == np.sin(0.5)


def test_a_failed_vector_math_build_is_not_tried_again(
    fresh_native, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in a later process: the plain library is cached, the vector build's failure too."""
    monkeypatch.setattr(native, "vector_math_flags", lambda: ("-lsolverq_no_such_library",))
    source = "#include <math.h>\ndouble wave(double x) { return cos(x); }\n"
    assert native.load_library(source, vector_math=True) is not None
    assert len(list(fresh_native.glob("*.unbuilt"))) == 1
    native.load_library.cache_clear()
    compiled: list[tuple[str, ...]] = []
    monkeypatch.setattr(native, "_compile", lambda *arguments: compiled.append(arguments[3]))
    assert native.load_library(source, vector_math=True) is not None
    assert compiled == []


@pytest.mark.parametrize("native", [True, False])
def test_values_are_written_into_a_given_array(native: bool) -> None:
    expression = parse("a * exp(-x) + v[1]", VARIABLES)
    values = {"a": np.array([1.0, -2.0]), "v": np.array([[0.5, 1.5], [3.0, 0.25]])}
    x = np.linspace(0.0, 2.0, 11)
    reference = np.array(grid_values(expression, values, x, 2, native=native))
    out = np.empty((11, 2))
    assert grid_values(expression, values, x, 2, native=native, out=out) is out
    np.testing.assert_array_equal(out, reference)
    strided = np.empty((11, 2, 3))[..., 1]
    grid_values(expression, values, x, 2, native=native, out=strided)
    np.testing.assert_array_equal(strided, reference)
    with pytest.raises(ValueError, match=r"out is \(11,\), not \(11, 2\)"):
        grid_values(expression, values, x, 2, native=native, out=np.empty(11))
