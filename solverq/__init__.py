"""solverq for notebooks and scripts: the verbs of the command line as functions.

    import solverq

    job = solverq.submit("sgd", eta=0.1, epochs=200, wait=True)
    summary, arrays = solverq.result(job)
    sweep = solverq.sweep("sgd", {"eta": "logspace(-3,0,4)", "lambda": [0, 1e-3]}, wait=True)
    frame = solverq.sweep_table(sweep, ["mse"], as_frame=True)

Configuration comes from the environment, as for the command line (SOLVERQ_DATABASE_URL,
SOLVERQ_BROKER_URL). Importing this package is cheap: numpy, SQLAlchemy, the plugins and
matplotlib are imported by the first call that needs them.
"""

from solverq.api import (
    cancel,
    compare,
    delete,
    list_jobs,
    note,
    plot,
    rerun,
    result,
    resume_sweep,
    status,
    submit,
    sweep,
    sweep_status,
    sweep_table,
    tag,
    wait,
)

__all__ = [
    "cancel",
    "compare",
    "delete",
    "list_jobs",
    "note",
    "plot",
    "rerun",
    "result",
    "resume_sweep",
    "status",
    "submit",
    "sweep",
    "sweep_status",
    "sweep_table",
    "tag",
    "wait",
]
