"""Partial indexes for the reaper in place of the index on every job's status.

The reaper looks for running jobs by heartbeat and for queued jobs by when they were published:
an index on each, over those jobs only. With no index on the status of every job, a claim's
prepared plan reaches its job through the primary key, however it was planned (a plan made while
the table was small went through the status index, scanning every queued job on each claim).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

RUNNING = sa.text("status = 'running'")
QUEUED = sa.text("status = 'queued'")


def upgrade() -> None:
    op.drop_index("ix_jobs_status", "jobs")
    op.create_index(
        "ix_jobs_running_heartbeat_at",
        "jobs",
        ["heartbeat_at"],
        postgresql_where=RUNNING,
        sqlite_where=RUNNING,
    )
    op.create_index(
        "ix_jobs_queued_enqueued_at",
        "jobs",
        ["enqueued_at"],
        postgresql_where=QUEUED,
        sqlite_where=QUEUED,
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_queued_enqueued_at", "jobs")
    op.drop_index("ix_jobs_running_heartbeat_at", "jobs")
    op.create_index("ix_jobs_status", "jobs", ["status"])
