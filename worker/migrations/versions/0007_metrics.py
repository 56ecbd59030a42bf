"""The numbers of each job's summary by dotted key (`job_metrics`), which sorting jobs by a metric
reads instead of parsing every summary; filled from the results stored before.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from solverq.worker.store.metrics import summary_metrics

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 1000
JSONData = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    metrics = op.create_table(
        "job_metrics",
        sa.Column(
            "job_id",
            sa.String(32),
            sa.ForeignKey("jobs.id", name="fk_job_metrics_job_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("job_id", "key", name="pk_job_metrics"),
    )
    results = sa.table(
        "job_results", sa.column("job_id", sa.String), sa.column("summary", JSONData)
    )
    connection = op.get_bind()
    last = ""
    while True:
        rows = connection.execute(
            sa.select(results.c.job_id, results.c.summary)
            .where(results.c.job_id > last)
            .order_by(results.c.job_id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        values = [
            {"job_id": job_id, "key": key, "value": value}
            for job_id, summary in rows
            for key, value in summary_metrics(summary or {}).items()
        ]
        if values:
            connection.execute(sa.insert(metrics), values)
        last = rows[-1].job_id


def downgrade() -> None:
    op.drop_table("job_metrics")
