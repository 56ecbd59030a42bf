"""Experiment records: each job's content digest, provenance, tags and note, and the jobs at
each point of a sweep (those it created, those it reused from elsewhere, and new attempts).

Jobs stored before keep an unknown provenance and no digest (so they are never reused); every
job of an existing sweep is linked at its point.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from solverq.worker.store.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSONData = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("digest", sa.String(64), nullable=True))
        jobs.add_column(sa.Column("provenance", JSONData, nullable=True))
        jobs.add_column(sa.Column("tags", JSONData, nullable=False, server_default=sa.text("'{}'")))
        jobs.add_column(sa.Column("note", sa.Text(), nullable=True))
        jobs.create_index("ix_jobs_digest", ["digest"])
    op.create_table(
        "sweep_jobs",
        sa.Column(
            "sweep_id",
            sa.String(32),
            sa.ForeignKey("sweeps.id", name="fk_sweep_jobs_sweep_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "job_id",
            sa.String(32),
            sa.ForeignKey("jobs.id", name="fk_sweep_jobs_job_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("point", sa.Integer(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sweep_id", "point", "job_id", name="pk_sweep_jobs"),
    )
    op.create_index("ix_sweep_jobs_job_id", "sweep_jobs", ["job_id"])
    op.execute(
        "INSERT INTO sweep_jobs (sweep_id, job_id, point, added_at) "
        "SELECT sweep_id, id, sweep_point, created_at FROM jobs WHERE sweep_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_sweep_jobs_job_id", "sweep_jobs")
    op.drop_table("sweep_jobs")
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_index("ix_jobs_digest")
        jobs.drop_column("note")
        jobs.drop_column("tags")
        jobs.drop_column("provenance")
        jobs.drop_column("digest")
