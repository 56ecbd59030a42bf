"""Alembic environment: runs on the connection `Database.upgrade` passes in."""

from alembic import context

from solverq.worker.store.models import full_metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=full_metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
