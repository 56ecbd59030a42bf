"""The worker pool: each job's queue, when its message was last published, and its worker.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from solverq.worker.store.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("queue", sa.String(200), nullable=True))
        jobs.add_column(sa.Column("enqueued_at", UTCDateTime(), nullable=True))
        jobs.add_column(sa.Column("worker", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_column("worker")
        jobs.drop_column("enqueued_at")
        jobs.drop_column("queue")
