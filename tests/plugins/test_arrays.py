import io
import sys
import warnings

import numpy as np
import pytest

from solverq.plugins.arrays import (
    ALIGNMENT,
    array_problem,
    decimal_text,
    decode_arrays,
    encode_arrays,
    write_arrays,
)


@pytest.mark.parametrize(
    "array",
    [
        np.linspace(0, 1, 7),
        np.arange(12, dtype=np.int64).reshape(3, 4),
        np.array([1 + 2j, -3.5j]),
        np.array([True, False]),
        np.array(["a", "bc"]),
        np.zeros((0, 3)),
        np.float32(2.5) * np.ones(3, dtype=np.float32),
        np.array(3.0),
    ],
)
def test_arrays_round_trip_exactly(array: np.ndarray) -> None:
    restored = decode_arrays(encode_arrays({"values": array}))["values"]
    assert restored.dtype == array.dtype and restored.shape == array.shape
    np.testing.assert_array_equal(restored, array)


def test_python_integers_beyond_int64_round_trip_without_pickle() -> None:
    big = np.array([[2**100, -(3**70)], [0, 7]], dtype=object)
    data = encode_arrays({"output": big, "x": np.arange(2)})
    restored = decode_arrays(data)
    assert restored["output"].dtype == object
    assert restored["output"].tolist() == big.tolist()
    assert all(type(v) is int for v in restored["output"].flat)
    assert set(restored) == {"output", "x"}


def test_object_arrays_of_anything_else_are_refused() -> None:
    with pytest.raises(ValueError, match="only Python integers"):
        encode_arrays({"bad": np.array([1.5, "a"], dtype=object)})


@pytest.mark.parametrize("name", ["", "__big_integers__", 3])
def test_bad_names_are_refused(name: object) -> None:
    assert "must be a non-empty string" in array_problem(name, np.zeros(1))


def test_non_arrays_are_refused() -> None:
    assert "not a numpy array" in array_problem("x", [1, 2])


def test_integers_beyond_the_decimal_digit_limit_round_trip() -> None:
    limit = sys.get_int_max_str_digits()
    big = np.array([10**12000 + 7, -(3**40000), 5], dtype=object)
    restored = decode_arrays(encode_arrays({"output": big}))["output"]
    assert restored.tolist() == big.tolist()
    assert sys.get_int_max_str_digits() == limit


def test_decimal_strings_of_earlier_versions_are_still_read() -> None:
    buffer = io.BytesIO()
    np.savez(
        buffer,
        output=np.array(["-12345678901234567890123", "4"]),
        **{"__big_integers__": np.array(["output"])},
    )
    restored = decode_arrays(buffer.getvalue())["output"]
    assert restored.tolist() == [-12345678901234567890123, 4]


@pytest.mark.parametrize(
    ("base", "exponent", "offset"),
    [
        (0, 1, 0),
        (1, 1, -2),
        (10, 599, 0),
        (10, 600, 0),
        (-10, 601, 1),
        (7, 9000, 0),
        (-2, 50001, 5),
    ],
)
def test_decimal_text_matches_str_without_a_digit_limit(
    base: int, exponent: int, offset: int
) -> None:
    number = base**exponent + offset
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        expected = str(number)
    finally:
        sys.set_int_max_str_digits(limit)
    assert decimal_text(number) == expected


def test_old_npz_archives_still_decode() -> None:
    buffer = io.BytesIO()
    big = np.array([2**70, 3], dtype=object)
    np.savez(
        buffer, y=np.arange(5.0), output=big.astype(str), __big_integers__=np.array(["output"])
    )
    restored = decode_arrays(buffer.getvalue())
    np.testing.assert_array_equal(restored["y"], np.arange(5.0))
    assert restored["output"].tolist() == [2**70, 3]


@pytest.mark.parametrize(
    "values",
    [
        np.linspace(0.0, 20.0, 2_000_001),
        np.linspace(-0.3, 7.1, 1000),
        np.arange(5000) * 1e-3 + 0.7,
    ],
)
def test_equally_spaced_values_are_recomputed_bit_for_bit(values: np.ndarray) -> None:
    data = encode_arrays({"x": values})
    assert len(data) < 1024
    restored = decode_arrays(data)["x"]
    assert restored.dtype == values.dtype
    assert np.array_equal(restored.view(np.int64), values.view(np.int64))


@pytest.mark.parametrize(
    ("x0", "dx", "steps"), [(0.7, 1e-4, 73_000), (0.1, 1e-5, 1_999_000), (-3.3, 0.37, 5000)]
)
def test_grids_away_from_zero_are_recomputed_bit_for_bit(x0: float, dx: float, steps: int) -> None:
    grid = np.arange(steps + 1, dtype=np.float64)  # as the ODE methods make x_i = x0 + i dx
    grid *= dx
    grid += x0
    assert grid[1] - grid[0] != dx or (grid[-1] - grid[0]) / steps != dx
    data = encode_arrays({"x": grid})
    assert len(data) < 1024
    assert np.array_equal(decode_arrays(data)["x"].view(np.int64), grid.view(np.int64))


def test_nearly_equally_spaced_values_are_stored() -> None:
    values = np.linspace(0.0, 1.0, 1000)
    values[500] = np.nextafter(values[500], 2.0)
    data = encode_arrays({"x": values})
    assert len(data) > values.nbytes
    np.testing.assert_array_equal(decode_arrays(data)["x"], values)


def _with_ends(first: float, last: float) -> np.ndarray:
    values = np.linspace(-1.0, 1.0, 1000)
    values[0], values[-1] = first, last
    return values


@pytest.mark.parametrize(
    "values",
    [
        _with_ends(1.0, np.inf),
        _with_ends(np.nan, 2.0),
        _with_ends(-np.inf, np.inf),
        _with_ends(-1.7e308, 1.7e308),
        1e308 * 0.995 ** np.arange(1001),  # the first difference, times 1000, overflows
    ],
)
def test_arrays_near_or_beyond_the_float_range_are_stored_in_full_without_warnings(
    values: np.ndarray,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = encode_arrays({"y": values})
    np.testing.assert_array_equal(decode_arrays(data)["y"], values)


def test_decoded_arrays_are_views_of_the_stored_bytes() -> None:
    matrix = np.arange(12.0).reshape(3, 4)
    data = bytes(encode_arrays({"m": matrix.T, "v": np.arange(3, dtype=np.int32)}))
    restored = decode_arrays(data)
    np.testing.assert_array_equal(restored["m"], matrix.T)
    assert restored["m"].base is not None and not restored["m"].flags.writeable
    assert restored["m"].ctypes.data % ALIGNMENT == restored["v"].ctypes.data % ALIGNMENT


def test_written_files_hold_the_encoded_bytes() -> None:
    strided = np.arange(300_000.0).reshape(-1, 3)
    arrays = {
        "a": np.arange(7, dtype=np.int16),
        "s": np.array(["x", "yz"]),
        "z": np.ones((2, 0)),
        "t": strided.T,
        "column": strided[:, 1],
    }
    file = io.BytesIO()
    write_arrays(file, arrays)
    assert file.getvalue() == bytes(encode_arrays(arrays))
