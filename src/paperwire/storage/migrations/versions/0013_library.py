"""library: saved papers, private marks (not interested, read), collections and their papers

Every row belongs to a user and a paper (or a collection) and goes with them: deleting a user, a
paper or a collection deletes its rows (ON DELETE CASCADE; SQLite's connections enable foreign keys).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

PAPER_ID = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")  # see 0001

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _user():
    return sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


def _paper():
    return sa.Column("paper_id", PAPER_ID, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)


def upgrade() -> None:
    op.create_table("library_papers", _user(), _paper(), sa.Column("saved_at", sa.DateTime, nullable=False))
    op.create_index("library_papers_user", "library_papers", ["user_id", "saved_at"])
    op.create_index("library_papers_paper", "library_papers", ["paper_id"])
    op.create_table(
        "paper_marks",
        _user(),
        _paper(),
        sa.Column("mark", sa.Text, primary_key=True),
        sa.Column("marked_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("mark IN ('not_interested', 'read')", name="paper_marks_mark"),
    )
    op.create_index("paper_marks_paper", "paper_marks", ["paper_id"])
    op.create_table(
        # AUTOINCREMENT: an id is never handed out twice, so a deleted public collection's URL can never
        # come to show somebody else's later one.
        "collections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("is_public", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("user_id", "name", name="collections_user_name"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "collection_papers",
        sa.Column(
            "collection_id",
            sa.Integer,
            sa.ForeignKey("collections.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        _paper(),
        sa.Column("added_at", sa.DateTime, nullable=False),
    )
    op.create_index("collection_papers_added", "collection_papers", ["collection_id", "added_at"])
    op.create_index("collection_papers_paper", "collection_papers", ["paper_id"])
    # Imports match entries to papers by DOI; DOIs are case-insensitive.
    op.create_index("papers_doi", "papers", [sa.text("lower(doi)")])


def downgrade() -> None:
    op.drop_index("papers_doi", "papers")
    for table in ("collection_papers", "collections", "paper_marks", "library_papers"):
        op.drop_table(table)
