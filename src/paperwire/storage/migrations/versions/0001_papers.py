"""papers and their version history

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

# Paper ids compare byte by byte on PostgreSQL too (as in SQLite, Python and the search indexes), whatever
# the database's locale: keyset pages and (seq, id) positions then mean the same on both backends.
PAPER_ID = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "papers",
        sa.Column("id", PAPER_ID, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("abstract", sa.Text, nullable=False, server_default=""),
        sa.Column("authors", sa.JSON, nullable=False),  # ordered list of names
        sa.Column("categories", sa.JSON, nullable=False),  # primary first
        sa.Column("primary_category", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("updated", sa.Date),
        sa.Column("announced", sa.Date),
        sa.Column("comment", sa.Text),
        sa.Column("journal_ref", sa.Text),
        sa.Column("doi", sa.Text),
        sa.Column("license", sa.Text),
        sa.Column("abs_url", sa.Text),
        sa.Column("pdf_url", sa.Text),
        sa.Column("code_url", sa.Text),
        sa.Column("project_url", sa.Text),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("modified_at", sa.DateTime, nullable=False),
    )
    op.create_index("papers_primary_category", "papers", ["primary_category"])
    op.create_index("papers_announced", "papers", ["announced"])
    op.create_index("papers_published", "papers", ["published"])
    op.create_table(
        "paper_versions",
        sa.Column("paper_id", PAPER_ID, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("date", sa.Date),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("paper_versions")
    op.drop_table("papers")
