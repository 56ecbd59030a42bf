"""solverq for notebooks and scripts: the verbs of the command line as functions.

A least-squares fit of y = 1 + 2x + 3x^2 plus noise, by gradient descent, then a sweep of ridge
fits over a grid of learning rates and penalties:

    >>> import solverq
    >>> job = solverq.submit("sgd", data="polynomial", epochs=20_000, wait=True)
    >>> summary, arrays = solverq.result(job)
    >>> summary["status"], [round(c, 2) for c in summary["theta"]]
    ('converged', [1.05, 1.84, 3.11])
    >>> len(arrays["mse_history"]) == summary["epochs"]
    True
    >>> sweep = solverq.sweep(
    ...     "sgd",
    ...     {"eta": "logspace(-3,-1,3)", "lambda": [1e-3, 1e-2]},
    ...     {"data": "polynomial", "model": "ridge"},
    ...     wait=True,
    ... )
    >>> frame = solverq.sweep_table(sweep, ["mse"], as_frame=True)
    >>> frame[["eta", "lambda", "status"]].values.tolist()[:3]
    [[0.001, 0.001, 'succeeded'], [0.001, 0.01, 'succeeded'], [0.01, 0.001, 'succeeded']]

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
    predict,
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
    "predict",
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
