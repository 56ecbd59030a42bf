"""The `solverq` application: the command groups, assembled.

Heavy modules (numpy, SQLAlchemy, the plugins) are imported inside the commands, so that
`solverq --help` answers at once.
"""

from __future__ import annotations

import typer

from solverq.cli import (
    curation,
    jobs,
    listing,
    plots,
    plugins,
    predict,
    serve,
    sweeps,
    system,
    worker,
)
from solverq.cli.errors import SolverqGroup

app = typer.Typer(
    name="solverq",
    cls=SolverqGroup,
    help="Run, queue and compare numerical experiments with solver plugins.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(plugins.app, name="plugins")
app.command("submit")(jobs.submit)
app.command("status")(jobs.status)
app.command("result")(jobs.result)
app.command("list")(listing.list_jobs)
app.command("compare")(listing.compare)
app.command("plot")(plots.plot)
app.command("predict")(predict.predict)
app.command("cancel")(jobs.cancel)
app.command("rerun")(jobs.rerun)
app.command("tag")(curation.tag)
app.command("note")(curation.note)
app.command("delete")(curation.delete)
app.add_typer(sweeps.app, name="sweep")
app.command("info")(system.info)
app.command("worker")(worker.worker)
app.command("serve")(serve.serve)
app.add_typer(system.db_app, name="db")


def main() -> None:
    app()
