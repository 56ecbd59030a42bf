"""An index in the order jobs are listed: newest first, then by sweep point and id.

The jobs page and `solverq list` read a page of job ids in that order; with this index (which
holds the ids, and replaces the one on `created_at` alone) the database walks it to the page
instead of sorting every job, and a filter on the creation time uses it too.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_jobs_newest", "jobs", [sa.text("created_at DESC"), "sweep_point", "id"])
    op.drop_index("ix_jobs_created_at", "jobs")


def downgrade() -> None:
    op.create_index("ix_jobs_created_at", "jobs", ["created_at"])
    op.drop_index("ix_jobs_newest", "jobs")
