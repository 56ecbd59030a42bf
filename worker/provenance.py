"""The provenance of a job: what ran it, recorded with its outcome.

solverq's version; the plugin's name, the distribution that installed it and that
distribution's version; Python's and numpy's versions and those of the distributions the plugin
`requires`; the platform, the host and the worker; and, for a plugin with randomness, the value
of its `seed_parameter`. A result can then be traced to the code that produced it (the
"environment" of a run, in the sense of Sacred and MLflow).
"""

from __future__ import annotations

import functools
import platform
import socket
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from solverq.plugins.errors import RejectedRequest
from solverq.plugins.registry import get_plugin

EMBEDDED = "embedded"
"""The worker of a job run by the process that submitted it."""


@functools.cache
def environment() -> dict[str, Any]:
    """What this process runs on: the same for each of its jobs."""
    return {
        "solverq": installed_version("solverq"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "host": socket.gethostname(),
    }


def job_provenance(plugin: str, params: Mapping[str, Any], worker: str | None) -> dict[str, Any]:
    """The provenance of an attempt at a job of `plugin` with the stored `params`, run here by
    `worker` (None: by the process that submitted it)."""
    provenance = {**environment(), "worker": worker or EMBEDDED}
    try:
        info = get_plugin(plugin)
    except RejectedRequest:
        provenance["plugin"] = {"name": plugin, "distribution": None, "version": None}
        return provenance
    plugin_class = info.plugin_class
    provenance["plugin"] = {
        "name": info.name,
        "distribution": info.distribution,
        "version": info.version,
    }
    provenance["packages"] = {name: installed_version(name) for name in plugin_class.requires}
    if plugin_class.seed_parameter is not None:
        provenance["seed"] = params.get(plugin_class.seed_parameter)
    return provenance


@functools.cache
def installed_version(distribution: str) -> str | None:
    """The installed version of `distribution`, or None when it is not installed (read once
    per process: reading it scans the path)."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None
