"""ingest: harvest cursors, the run log, announcement days and Hugging Face daily-paper features

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

PAPER_ID = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")  # see 0001

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_harvests",
        sa.Column("name", sa.Text, primary_key=True),  # e.g. "oai:cs"
        # The last datestamp of the last completed harvest: an incremental run starts from it.
        sa.Column("cursor", sa.Date),
        # A harvest under way: written only after the page it follows is stored, so never ahead of it.
        sa.Column("pending_from", sa.Date),
        sa.Column("pending_until", sa.Date),
        sa.Column("pending_token", sa.Text),
        sa.Column("pending_max", sa.Date),  # the newest datestamp stored by the harvest under way
        sa.Column("pending_pages", sa.Integer, nullable=False, server_default="0"),
        sa.Column("pending_records", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.Text, nullable=False),  # arxiv, daily, ids, hf
        sa.Column("args", sa.Text, nullable=False, server_default=""),
        sa.Column("trigger", sa.Text, nullable=False),  # cli or schedule
        sa.Column("status", sa.Text, nullable=False),  # running, ok, error
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sqlite_autoincrement=True,
    )
    op.create_index("ingest_runs_kind", "ingest_runs", ["kind", "trigger", "started_at"])
    op.create_table(
        "announcement_days",
        sa.Column("category", sa.Text, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("announced", sa.Boolean, nullable=False),  # false: an explicit "no announcement" day
        sa.Column("new", sa.Integer, nullable=False, server_default="0"),
        sa.Column("cross", sa.Integer, nullable=False, server_default="0"),
        sa.Column("replace", sa.Integer, nullable=False, server_default="0"),
        sa.Column("replace_cross", sa.Integer, nullable=False, server_default="0"),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "hf_daily_papers",
        sa.Column("paper_id", PAPER_ID, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("featured", sa.Date, primary_key=True),
        sa.Column("submitter", sa.Text),
        sa.Column("upvotes", sa.Integer, nullable=False, server_default="0"),  # Hugging Face's, not ours
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )
    op.create_index("hf_daily_papers_featured", "hf_daily_papers", ["featured"])


def downgrade() -> None:
    op.drop_table("hf_daily_papers")
    op.drop_table("announcement_days")
    op.drop_table("ingest_runs")
    op.drop_table("ingest_harvests")
