"""submission_fetches: submissions of papers the hub lacks, queued for a background fetch from arXiv

A submission used to fetch its paper inside the request, holding a request thread while arXiv's
client waited (3 s a try, retries); now the request queues it here and answers at once, and the fetch
worker inside `serve` (ingest/submissions.py) works the queue under a job lock.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submission_fetches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("paper_id", sa.Text, nullable=False),  # the bare arXiv id asked for; no paper row yet
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("state", sa.Text, nullable=False),  # queued, done, failed
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sqlite_autoincrement=True,
    )
    op.create_index("submission_fetches_state", "submission_fetches", ["state", "id"])
    op.create_index("submission_fetches_user", "submission_fetches", ["user_id", "state"])


def downgrade() -> None:
    op.drop_table("submission_fetches")
