"""Reading `.npy` and `.npz` files: sizes checked from their headers, bad files refused."""

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from numpy.lib import format as npy_format

from solverq.plugins.errors import RejectedRequest
from solverq.worker.input_files import InputBudget, read_npy, read_npz

LIMIT = 10**6


def npy_header(path: Path, shape: tuple[int, ...], descr: str = "<f8") -> Path:
    """A `.npy` file of a header only, claiming an array of `shape`."""
    with path.open("wb") as handle:
        npy_format.write_array_header_1_0(
            handle, {"descr": descr, "fortran_order": False, "shape": shape}
        )
    return path


def test_arrays_are_read_as_numpy_writes_them(tmp_path: Path) -> None:
    a, b = np.arange(12.0).reshape(3, 4), np.array([1 + 2j, 3j])
    np.savez_compressed(tmp_path / "ab.npz", a=a, b=b)
    np.save(tmp_path / "c.npy", np.asfortranarray(a))
    budget = InputBudget(LIMIT)
    read = read_npz(tmp_path / "ab.npz", budget) | read_npy(tmp_path / "c.npy", budget)
    np.testing.assert_array_equal(read["a"], a)
    np.testing.assert_array_equal(read["b"], b)
    np.testing.assert_array_equal(read["c"], a)
    assert budget.used == a.nbytes + b.nbytes + a.nbytes


def test_an_array_beyond_the_limit_is_refused_by_its_header(tmp_path: Path) -> None:
    path = npy_header(tmp_path / "huge.npy", (10**12,))
    with pytest.raises(RejectedRequest) as refused:
        read_npy(path, InputBudget(LIMIT))
    assert str(refused.value) == (
        f"array 'huge' of {path} is 8,000,000,000,000 bytes (1000000000000 float64); the "
        "inputs of a job may take at most 1,000,000 bytes (SOLVERQ_MAX_INPUT_BYTES)"
    )


def test_the_limit_counts_every_array_of_a_request(tmp_path: Path) -> None:
    np.savez(tmp_path / "two.npz", a=np.zeros(60_000), b=np.zeros(70_000))
    with pytest.raises(RejectedRequest, match=r"array 'b' of .* is 560,000 bytes"):
        read_npz(tmp_path / "two.npz", InputBudget(LIMIT))


def test_a_compressed_archive_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    np.savez_compressed(tmp_path / "zeros.npz", x=np.zeros(10**7))
    assert (tmp_path / "zeros.npz").stat().st_size < 200_000
    with pytest.raises(RejectedRequest, match=r"array 'x' of .* is 80,000,000 bytes"):
        read_npz(tmp_path / "zeros.npz", InputBudget(LIMIT))


def test_a_header_promising_more_than_the_file_holds_is_refused(tmp_path: Path) -> None:
    path = npy_header(tmp_path / "short.npy", (1000,))
    with pytest.raises(RejectedRequest, match="is truncated: array 'short' needs 8,000 bytes"):
        read_npy(path, InputBudget(LIMIT))


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def npz_bytes(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"PK\x03\x04" + b"x" * 100, npz_bytes(a=np.arange(9.0))[:-30]],
)
def test_corrupt_archives_are_refused(tmp_path: Path, data: bytes) -> None:
    path = write_bytes(tmp_path / "bad.npz", data)
    with pytest.raises(RejectedRequest, match=r"cannot read data file .*bad.npz: "):
        read_npz(path, InputBudget(LIMIT))


@pytest.mark.parametrize("data", [b"", b"\x93NUMPY", b"\x93NUMPY\x01\x00\xff\xff{'descr'"])
def test_corrupt_npy_files_are_refused(tmp_path: Path, data: bytes) -> None:
    path = write_bytes(tmp_path / "bad.npy", data)
    with pytest.raises(RejectedRequest, match=r"cannot read data file .*bad.npy: "):
        read_npy(path, InputBudget(LIMIT))


def test_object_arrays_and_other_members_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RejectedRequest, match="holds Python objects"):
        read_npy(npy_header(tmp_path / "objects.npy", (3,), "|O"), InputBudget(LIMIT))
    with zipfile.ZipFile(tmp_path / "mixed.npz", "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(RejectedRequest, match=r"holds 'notes\.txt', which is not a \.npy array"):
        read_npz(tmp_path / "mixed.npz", InputBudget(LIMIT))
    with zipfile.ZipFile(tmp_path / "empty.npz", "w"):
        pass
    with pytest.raises(RejectedRequest, match="holds no arrays"):
        read_npz(tmp_path / "empty.npz", InputBudget(LIMIT))
