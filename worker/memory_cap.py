"""A cap on the memory one job may take (``SOLVERQ_MAX_JOB_MEMORY``), as an address-space
rlimit of the process running it.

While a job runs, the soft ``RLIMIT_AS`` of its process is the address space the process had
when the job started plus the cap; afterwards it is set back. An allocation beyond it fails,
which Python and numpy raise as `MemoryError`: the job fails with "out of memory" and the
process goes on to its next job. The limit counts address space, not resident memory, so it is
an upper bound on what the job may touch (thread stacks and allocator arenas count too). Where
the platform has no such limit (or no ``/proc/self/statm`` to measure the address space), jobs
run uncapped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

STATM = Path("/proc/self/statm")


@contextmanager
def memory_cap(limit: int | None) -> Iterator[None]:
    """Within the block, this process may take at most `limit` more bytes of address space."""
    in_use = address_space() if limit is not None and resource is not None else None
    if limit is None or resource is None or in_use is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    capped = in_use + limit
    if hard != resource.RLIM_INFINITY:
        capped = min(capped, hard)
    resource.setrlimit(resource.RLIMIT_AS, (capped, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def address_space() -> int | None:
    """The bytes of address space this process has now (Linux), else None."""
    try:
        pages = int(STATM.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")
