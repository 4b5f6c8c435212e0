"""search: a change sequence on papers, stored embeddings and search metadata

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

PAPER_ID = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")  # see 0001

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # seq grows with every write that changes a paper; search indexes catch up on seq > what they hold.
    with op.batch_alter_table("papers") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger, nullable=False, server_default="0"))
    op.create_index("papers_seq", "papers", ["seq", "id"])  # serves (seq, id) > (?, ?) ORDER BY seq, id
    op.create_table(
        "embeddings",
        # key: the integer the vector index knows the paper by; stable while the paper is embedded.
        sa.Column("key", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("paper_id", PAPER_ID, sa.ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),  # the paper's seq when it was embedded
        sa.Column(
            "text_hash", sa.Text, nullable=False
        ),  # of the embedded text: unchanged text is not re-embedded
        sa.Column("vector", sa.LargeBinary, nullable=False),  # float16, little-endian
        sqlite_autoincrement=True,
    )
    op.create_index("embeddings_paper", "embeddings", ["paper_id"], unique=True)
    op.create_index("embeddings_seq", "embeddings", ["seq", "key"])
    op.create_table(
        "search_meta",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("search_meta")
    op.drop_table("embeddings")
    op.drop_index("papers_seq", "papers")
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("seq")
