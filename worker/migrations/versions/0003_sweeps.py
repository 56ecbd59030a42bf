"""Sweeps: grids of jobs, and the sweep and grid point of each job.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from solverq.worker.store.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSONData = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "sweeps",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("plugin", sa.String(100), nullable=False),
        sa.Column("grid", JSONData, nullable=False),
        sa.Column("params", JSONData, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_sweeps_created_at", "sweeps", ["created_at"])
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("sweep_id", sa.String(32), nullable=True))
        jobs.add_column(sa.Column("sweep_point", sa.Integer(), nullable=True))
        jobs.create_foreign_key("fk_jobs_sweep_id", "sweeps", ["sweep_id"], ["id"])
        jobs.create_index("ix_jobs_sweep_id", ["sweep_id"])


def downgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_index("ix_jobs_sweep_id")
        jobs.drop_constraint("fk_jobs_sweep_id", type_="foreignkey")
        jobs.drop_column("sweep_point")
        jobs.drop_column("sweep_id")
    op.drop_index("ix_sweeps_created_at", "sweeps")
    op.drop_table("sweeps")
