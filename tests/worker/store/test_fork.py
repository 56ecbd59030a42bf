"""A forked process (a Celery pool process) never uses its parent's database connections."""

from __future__ import annotations

import os

from solverq.worker.store import JobStore, open_database


def test_a_forked_process_opens_its_own_engine(store: JobStore) -> None:
    parent = open_database(store.database.url)
    job = store.create("echo", {})
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        child = open_database(store.database.url)
        own = child is not parent and child.engine is not parent.engine
        claimed = JobStore(child).claim(job.id) == 1
        os.write(write, b"%d%d" % (own, claimed))
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 2) == b"11"
    os.close(read)
    assert store.get(job.id).attempts == 1
