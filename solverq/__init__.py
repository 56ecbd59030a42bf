"""solverq for notebooks and scripts: the verbs of the command line as functions.

    import solverq

    job = solverq.submit("sgd", eta=0.1, epochs=200, wait=True)
    summary, arrays = solverq.result(job)
    predicted = solverq.predict(job, {"x": new_x})["predictions"]
    sweep = solverq.sweep("sgd", {"eta": "logspace(-3,0,4)", "lambda": [0, 1e-3]}, wait=True)
    frame = solverq.sweep_table(sweep, ["mse"], as_frame=True)

Configuration comes from the environment, as for the command line (SOLVERQ_DATABASE_URL,
SOLVERQ_BROKER_URL). Importing this package is cheap: numpy, SQLAlchemy, the plugins and
matplotlib are imported by the first call that needs them.
"""

from solverq.api import (
    cancel,
    compare,
    list_jobs,
    plot,
    predict,
    result,
    status,
    submit,
    sweep,
    sweep_status,
    sweep_table,
    wait,
)

__all__ = [
    "cancel",
    "compare",
    "list_jobs",
    "plot",
    "predict",
    "result",
    "status",
    "submit",
    "sweep",
    "sweep_status",
    "sweep_table",
    "wait",
]
