"""hub: users, sign-in tokens, sessions, votes, comments, submissions, rate limits, moderation

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Counts kept beside the paper so that a day's page is one indexed read; votes and comments
    # update them in the same transaction. `seq` is not touched: a vote does not change what is searched.
    # Plain ADD COLUMN on both databases: no table copy, however many papers there are.
    op.add_column("papers", sa.Column("upvotes", sa.Integer, nullable=False, server_default="0"))
    op.add_column("papers", sa.Column("num_comments", sa.Integer, nullable=False, server_default="0"))
    op.add_column("papers", sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_index("papers_upvotes", "papers", ["upvotes"])

    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.Text, nullable=False, unique=True),  # lower-cased
        sa.Column("username", sa.Text, nullable=False, unique=True),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        # A magic link's nonce: the link is signed and expires; this row makes it single-use.
        "signin_tokens",
        sa.Column("nonce", sa.Text, primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("used_at", sa.DateTime),
    )
    op.create_table(
        # Only a hash of the cookie's token is stored: a copy of the database signs nobody in.
        "sessions",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("sessions_user", "sessions", ["user_id"])
    op.create_table(
        "votes",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("paper_id", sa.Text, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("votes_paper", "votes", ["paper_id"])
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("paper_id", sa.Text, sa.ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("body", sa.Text, nullable=False),  # Markdown source; rendered and sanitised on output
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("comments_paper", "comments", ["paper_id", "id"])
    op.create_index("comments_user", "comments", ["user_id", "id"])
    op.create_table(
        # A paper put on a day's page by a member; one submission per paper, the first one wins.
        "submissions",
        sa.Column("paper_id", sa.Text, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("submitted_at", sa.DateTime, nullable=False),
    )
    op.create_index("submissions_day", "submissions", ["day"])
    op.create_index("submissions_user", "submissions", ["user_id"])
    op.create_table(
        # Fixed-window counters, in the database so that every worker and host shares them.
        "rate_limits",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("window", sa.Integer, primary_key=True),  # window start, in seconds since the epoch
        sa.Column("hits", sa.Integer, nullable=False),
    )
    op.create_table(
        # Monotonic counters; "community" changes with every vote, comment, submission and moderation,
        # so a cached page knows whether it is still current.
        "hub_counters",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("hub_counters", "rate_limits", "submissions", "comments", "votes", "sessions"):
        op.drop_table(table)
    op.drop_table("signin_tokens")
    op.drop_table("users")
    op.drop_index("papers_upvotes", "papers")
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("hidden")
        batch.drop_column("num_comments")
        batch.drop_column("upvotes")
