"""Bad data files and parameter values: `solverq submit` exits 2 with one line naming the file
or parameter, and stores nothing; never an internal error."""

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.lib import format as npy_format

from solverq.worker import service

EXIT_REJECTED = 2


def assert_rejected(outcome, store, *named: str) -> None:
    """Exit 2, one line on stderr naming each of `named`, nothing stored."""
    assert outcome.exit_code == EXIT_REJECTED, outcome.output
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), outcome.stderr
    assert "internal error" not in lines[0] and len(lines[0]) <= 500
    for name in named:
        assert name in lines[0]
    assert store.list() == []


def npz_bytes(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def npy_header_bytes(shape: tuple[int, ...]) -> bytes:
    buffer = io.BytesIO()
    npy_format.write_array_header_1_0(
        buffer, {"descr": "<f8", "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "plugin", "named"),
    [
        ("corrupt.npz", npz_bytes(a=np.arange(5.0), b=np.ones(2))[:-40], "convolution", "corrupt"),
        ("empty.npz", b"", "convolution", "empty.npz"),
        ("empty.npy", b"", "convolution", "empty.npy"),
        ("a.npy", npy_header_bytes((10**12,)), "convolution", "8,000,000,000,000 bytes"),
        ("zero-d.npz", npz_bytes(x=np.array(1.0), y=np.arange(5.0)), "sgd", "array 'x'"),
    ],
)
def test_bad_data_files_are_refused(
    solverq, solverq_env, tmp_path: Path, name: str, data: bytes, plugin: str, named: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    outcome = solverq("submit", plugin, "--data", str(path))
    assert_rejected(outcome, solverq_env, named)


def test_inputs_beyond_the_limit_are_refused_naming_the_array(
    solverq, solverq_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOLVERQ_MAX_INPUT_BYTES", "100000")
    np.savez_compressed(tmp_path / "ab.npz", a=np.zeros(20_000), b=np.ones(3))
    outcome = solverq("submit", "convolution", "--data", str(tmp_path / "ab.npz"))
    assert_rejected(outcome, solverq_env, "array 'a'", "160,000 bytes", "SOLVERQ_MAX_INPUT_BYTES")


def test_deeply_nested_parameters_are_refused(solverq, solverq_env, tmp_path: Path) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    params_file = tmp_path / "params.json"
    params_file.write_text('{"a": ' + nested + "}")
    assert_rejected(
        solverq("submit", "convolution", "--params", str(params_file)), solverq_env, "params.json"
    )
    assert_rejected(
        solverq("submit", "convolution", "-p", "a=" + "[" * 70 + "1" + "]" * 70),
        solverq_env,
        "parameter 'a'",
        "deeper than 64",
    )


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["x0=-1e308", "x1=1e308", "dx=1e307"], "parameter 'x1'"),
        (["x1=1", "dx=1e-300"], "parameter 'dx' of euler makes 1e+300 steps"),
    ],
)
def test_euler_intervals_that_overflow_are_refused(solverq, solverq_env, args, named) -> None:
    assignments = [item for arg in ["rhs=y", "y0=1", *args] for item in ("-p", arg)]
    assert_rejected(solverq("submit", "euler", *assignments), solverq_env, named)


def test_a_long_unknown_parameter_name_is_cut(solverq, solverq_env) -> None:
    outcome = solverq("submit", "convolution", "-p", "x" * 1_000_000 + "=1")
    assert_rejected(outcome, solverq_env, "unknown parameter 'xxx")


def test_a_huge_list_limit_is_refused(solverq, solverq_env) -> None:
    outcome = solverq("list", "--limit", "100000000000000000000")
    assert_rejected(outcome, solverq_env, "--limit must be at most 1,000,000, got 1e+20")


def corrupted(data: bytes, cut: int, prefix: bytes) -> bytes:
    """`data` cut short (somewhere before its end) after `prefix`: never a whole file."""
    return prefix + data[: cut % len(data)]


VALID_NPZ = npz_bytes(a=np.arange(7.0), b=np.array([1.0, -2.0]))
VALID_NPY = npy_header_bytes((7,)) + np.arange(7.0).tobytes()

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(
    suffix=st.sampled_from([".npz", ".npy"]),
    cut=st.integers(min_value=0),
    prefix=st.sampled_from([b"", b"\x93NUMPY", b"PK\x03\x04", b"\x00" * 8]),
)
def test_fuzzed_files_exit_2_with_one_line(
    solverq, solverq_env, tmp_path: Path, suffix: str, cut: int, prefix: bytes
) -> None:
    path = tmp_path / f"a{suffix}"
    path.write_bytes(corrupted(VALID_NPZ if suffix == ".npz" else VALID_NPY, cut, prefix))
    assert_rejected(solverq("submit", "convolution", "--data", str(path)), solverq_env, str(path))


FUZZED_PARAMETERS = [
    *[("euler", name) for name in ("x0", "x1", "dx", "n", "y0", "constants.k")],
    *[("convolution", name) for name in ("a", "mode")],
    *[("sgd", name) for name in ("eta", "degree")],
    *[("nn-ode", name) for name in ("hidden", "eval_points")],
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats()
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(
    plugin_and_name=st.sampled_from(FUZZED_PARAMETERS),
    value=json_values | st.text(max_size=40),
)
def test_fuzzed_parameters_are_accepted_or_refused_in_one_line(
    solverq, solverq_env, monkeypatch: pytest.MonkeyPatch, plugin_and_name, value
) -> None:
    monkeypatch.setattr(service, "run_in_turn", lambda *args, **kwargs: None)
    plugin, name = plugin_and_name
    text = value if isinstance(value, str) else repr_json(value)
    base = {"euler": ["rhs=y", "y0=1", "x1=1"], "convolution": ["a=[1]", "b=[2]"]}.get(plugin, [])
    assignments = [item for arg in [*base, f"{name}={text}"] for item in ("-p", arg)]
    before = len(solverq_env.list())
    outcome = solverq("submit", plugin, *assignments)
    if outcome.exit_code == 0:
        assert len(solverq_env.list()) == before + 1
        return
    assert outcome.exit_code == EXIT_REJECTED, outcome.output
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1 and "internal error" not in lines[0], outcome.stderr
    assert len(solverq_env.list()) == before


def repr_json(value: object) -> str:
    import json

    return json.dumps(value)


def test_a_csv_file_counts_by_its_size(
    solverq, solverq_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOLVERQ_MAX_INPUT_BYTES", "1000")
    path = tmp_path / "xy.csv"
    path.write_text("x,y\n" + "".join(f"{i},{2 * i}\n" for i in range(500)))
    outcome = solverq("submit", "sgd", "--data", str(path))
    assert_rejected(outcome, solverq_env, f"data file {path} is {path.stat().st_size:,} bytes")
