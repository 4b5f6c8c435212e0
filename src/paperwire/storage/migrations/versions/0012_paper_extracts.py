"""paper_extracts: each paper's extracted summary sentence and key phrases

Made by the indexer in the same model pass that embeds the paper (docs/search.md#extracts). text_hash
is the embedded text's: an extract whose hash differs from its paper's embedding is made again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

PAPER_ID = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")  # see 0001

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper_extracts",
        sa.Column("paper_id", PAPER_ID, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("text_hash", sa.Text, nullable=False),
        sa.Column("summary", sa.Text),  # NULL: the paper has no abstract sentence to show
        sa.Column("keywords", sa.Text, nullable=False),  # a JSON array of strings
    )


def downgrade() -> None:
    op.drop_table("paper_extracts")
