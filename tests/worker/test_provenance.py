"""Every job records what ran it: versions, platform, host, worker, and its seed."""

import platform
import socket
from importlib.metadata import version

import numpy as np

from solverq.worker import service
from solverq.worker.provenance import EMBEDDED, installed_version, job_provenance


def test_a_job_names_the_versions_that_ran_it(solverq_env) -> None:
    job = service.submit("sgd", {"data": "polynomial", "epochs": 2, "seed": 7})
    provenance = solverq_env.get(job.id).provenance
    assert provenance["solverq"] == version("solverq")
    assert provenance["python"] == platform.python_version()
    assert provenance["numpy"] == np.__version__
    assert provenance["packages"] == {"autograd": version("autograd")}
    assert provenance["plugin"] == {
        "name": "sgd",
        "distribution": "solverq",
        "version": version("solverq"),
    }
    assert provenance["platform"] == platform.platform()
    assert (provenance["host"], provenance["worker"]) == (socket.gethostname(), EMBEDDED)
    assert provenance["seed"] == 7


def test_a_failed_job_has_provenance_too_and_a_plugin_without_seed_none(
    solverq_env, test_plugins
) -> None:
    job = service.submit("explode", {"kind": "fail"})
    provenance = solverq_env.get(job.id).provenance
    assert provenance["plugin"] == {
        "name": "explode",
        "distribution": "solverq-testplugins",
        "version": "1.0",
    }
    assert "seed" not in provenance and provenance["packages"] == {}


def test_an_uninstalled_plugin_or_package_is_named_as_such() -> None:
    provenance = job_provenance("no-such-plugin", {}, "celery@node1")
    assert provenance["plugin"] == {"name": "no-such-plugin", "distribution": None, "version": None}
    assert provenance["worker"] == "celery@node1"
    assert installed_version("surely-not-an-installed-distribution") is None
