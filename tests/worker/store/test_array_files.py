"""Large arrays of an SQLite store live in files beside the database; small ones, and every
array of a PostgreSQL store, in the rows. Rows written before either still read."""

import io

import numpy as np
import pytest
from sqlalchemy import update

from solverq.plugins.builtin.euler import EulerPlugin
from solverq.plugins.builtin.ode_problem import build_problem
from solverq.plugins.errors import SolverqError
from solverq.solvers.ode.euler_forward import forward_euler
from solverq.worker import service
from solverq.worker.settings import Settings
from solverq.worker.store import JobStore, open_database
from solverq.worker.store.array_files import FILE_THRESHOLD, ArrayFiles
from solverq.worker.store.factory import job_store
from solverq.worker.store.models import JOB_RESULTS

LARGE = FILE_THRESHOLD // 8 + 1


def array_files(store: JobStore) -> list:
    folder = store.array_files.folder
    return sorted(folder.glob("*.arrays")) if folder is not None and folder.exists() else []


def test_large_results_round_trip_through_a_file_beside_sqlite(store: JobStore) -> None:
    job = store.create("echo", {})
    attempt = store.claim(job.id)
    arrays = {"y": np.random.default_rng(0).normal(size=(LARGE, 2))[:, 1], "n": np.arange(3)}
    assert store.succeed(job.id, attempt, {}, arrays)
    stored = store.result_arrays(job.id)
    np.testing.assert_array_equal(stored["y"], arrays["y"])
    np.testing.assert_array_equal(stored["n"], arrays["n"])
    assert len(array_files(store)) == (1 if store.database.is_sqlite else 0)


def test_read_arrays_are_writable_and_writing_them_changes_nothing_stored(
    store: JobStore,
) -> None:
    for size in (10, LARGE):
        job = store.create("echo", {})
        assert store.succeed(job.id, store.claim(job.id), {}, {"y": np.ones(size)})
        read = store.result_arrays(job.id)["y"]
        read *= 2
        np.testing.assert_array_equal(store.result_arrays(job.id)["y"], np.ones(size))


def test_large_inputs_are_written_once_for_every_job_of_a_batch(store: JobStore) -> None:
    inputs = {"a": np.arange(LARGE, dtype=float) ** 2}
    first, second = store.create_many("echo", [{}, {}], inputs)
    assert len(array_files(store)) == (1 if store.database.is_sqlite else 0)
    np.testing.assert_array_equal(store.inputs(second)["a"], inputs["a"])
    np.testing.assert_array_equal(store.start(first).inputs["a"], inputs["a"])


def test_small_arrays_stay_in_the_row(store: JobStore) -> None:
    job = store.create("echo", {}, {"a": np.arange(10.0)})
    assert store.succeed(job.id, store.claim(job.id), {}, {"y": np.ones(10)})
    assert array_files(store) == []
    np.testing.assert_array_equal(store.result_arrays(job.id)["y"], np.ones(10))


def test_a_lost_attempt_leaves_no_file(sqlite_store: JobStore) -> None:
    job = sqlite_store.create("echo", {})
    attempt = sqlite_store.claim(job.id)
    sqlite_store.cancel(job.id)
    assert not sqlite_store.succeed(job.id, attempt, {}, {"y": np.zeros(LARGE)})
    assert array_files(sqlite_store) == []


def test_a_missing_file_is_a_clear_error(sqlite_store: JobStore) -> None:
    job = sqlite_store.create("echo", {})
    assert sqlite_store.succeed(job.id, sqlite_store.claim(job.id), {}, {"y": np.ones(LARGE)})
    array_files(sqlite_store)[0].unlink()
    with pytest.raises(SolverqError, match="cannot read stored arrays"):
        sqlite_store.result_arrays(job.id)


def test_results_stored_as_npz_archives_still_read(store: JobStore) -> None:
    job = store.create("echo", {})
    assert store.succeed(job.id, store.claim(job.id), {}, {"y": np.zeros(2)})
    archive = io.BytesIO()
    np.savez(archive, y=np.array([1.5, -2.0]))
    with store.database.transaction() as connection:
        connection.execute(
            update(JOB_RESULTS)
            .where(JOB_RESULTS.c.job_id == job.id)
            .values(arrays=archive.getvalue())
        )
    np.testing.assert_array_equal(store.result_arrays(job.id)["y"], [1.5, -2.0])


def test_only_an_sqlite_file_has_a_folder_beside_it(tmp_path) -> None:
    assert ArrayFiles.beside(f"sqlite:///{tmp_path}/jobs.db").folder == tmp_path / "jobs.db-arrays"
    assert ArrayFiles.beside("sqlite://").folder is None
    assert ArrayFiles.beside("postgresql+psycopg://u@host/db").folder is None


def test_deleting_jobs_removes_the_files_no_other_job_refers_to(store: JobStore) -> None:
    inputs = {"a": np.arange(LARGE, dtype=float) ** 2}
    first, second = store.create_many("echo", [{}, {}], inputs)
    assert store.succeed(first, store.claim(first), {}, {"y": np.arange(LARGE, dtype=float) ** 3})
    assert len(array_files(store)) == (2 if store.database.is_sqlite else 0)
    assert store.stored_bytes([first]) >= 2 * inputs["a"].nbytes
    assert store.delete([first]) == 1
    assert len(array_files(store)) == (1 if store.database.is_sqlite else 0)  # second's inputs
    np.testing.assert_array_equal(store.inputs(second)["a"], inputs["a"])
    assert store.delete([second]) == 1
    assert array_files(store) == []


@pytest.fixture
def sqlite_store(sqlite_url: str) -> JobStore:
    database = open_database(sqlite_url, ensure_schema=False)
    database.upgrade()
    return JobStore(database)


@pytest.mark.parametrize(
    ("params", "arrays"),
    [
        ({"problem": "oscillator", "n": 60_000, "x0": 0.3}, ("y", "dy")),
        ({"problem": "decay", "dx": 1e-4, "x0": 0.7, "x1": 8.0}, ("y",)),
    ],
)
def test_an_euler_jobs_grid_is_recomputed_on_read_as_the_solver_made_it(
    sqlite_url: str, params: dict, arrays: tuple[str, ...]
) -> None:
    """Every reader (the Python API's result, plots, the web API's arrays) reads through
    `result_arrays`: x comes back bit for bit as the solver's own grid, and the file beside the
    database holds the bytes of y (and y') only."""
    settings = Settings(sqlite_url, None, 3600.0)
    job = service.submit("euler", params, settings=settings)
    validated = EulerPlugin.validate(params)
    solution = forward_euler(build_problem(validated), validated.steps, validated.dx)
    store = job_store(settings)
    stored = store.result_arrays(job.id)
    assert stored["x"].dtype == solution.x.dtype
    assert np.array_equal(stored["x"].view(np.int64), solution.x.view(np.int64))
    np.testing.assert_array_equal(stored["y"], solution.y[:, 0, 0])
    [file] = array_files(store)
    held = sum(stored[name].nbytes for name in arrays)
    assert held <= file.stat().st_size < held + 4096
