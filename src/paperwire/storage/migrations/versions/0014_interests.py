"""interests: a member's followed topics, authors and categories, and their "For you" feed's nonce

Both go with their user (ON DELETE CASCADE).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _user():
    return sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "interests",
        _user(),
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),  # the order the member gave them in
        sa.CheckConstraint("kind IN ('topic', 'author', 'category')", name="interests_kind"),
    )
    op.create_table(
        "foryou_feeds",
        _user(),
        sa.Column("nonce", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("foryou_feeds")
    op.drop_table("interests")
