"""subscriptions: subscribers, the digest delivery ledger, and the papers each subscriber was sent

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.Text, nullable=False, unique=True),  # normalised; one subscription each
        sa.Column("status", sa.Text, nullable=False),  # pending, active, unsubscribed, deactivated
        sa.Column("frequency", sa.Text, nullable=False),
        sa.Column("weekday", sa.Integer, nullable=False),
        sa.Column("send_time", sa.Text, nullable=False),
        sa.Column("timezone", sa.Text, nullable=False),
        sa.Column("trending", sa.Integer, nullable=False),
        sa.Column("for_you", sa.Boolean, nullable=False),
        sa.Column("max_papers", sa.Integer, nullable=False),
        # JSON lists of strings: read and written whole, never queried inside.
        sa.Column("topics", sa.Text, nullable=False),
        sa.Column("authors", sa.Text, nullable=False),
        sa.Column("categories", sa.Text, nullable=False),
        sa.Column("nonce", sa.Text, nullable=False),  # in every signed link; replacing it revokes them
        sa.Column("bounces", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("confirmed_at", sa.DateTime),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("subscriptions_status", "subscriptions", ["status"])
    op.create_table(
        # The delivery ledger: one row per subscriber and period, written with the digest's papers
        # before anything is sent. pending -> sending (claimed just before SMTP) -> sent | failed;
        # empty: nothing new to send that period.
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "subscription_id",
            sa.Integer,
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("period", sa.Text, nullable=False),  # 2026-11-23 (daily) or 2026-W48 (weekly)
        sa.Column("frequency", sa.Text, nullable=False),
        sa.Column("covers_start", sa.Date, nullable=False),
        sa.Column("covers_end", sa.Date, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("message_id", sa.Text, nullable=False),  # kept, so a resend carries the same one
        sa.Column("items", sa.Text, nullable=False),  # JSON [[paper id, section, reason], ...]
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime),
        sa.UniqueConstraint("subscription_id", "period", name="deliveries_once"),
        sqlite_autoincrement=True,
    )
    op.create_index("deliveries_due", "deliveries", ["status", "next_attempt_at"])
    op.create_index("deliveries_period", "deliveries", ["period"])
    op.create_table(
        # Every paper a subscriber has been given, so that no digest repeats one.
        "digest_papers",
        sa.Column(
            "subscription_id",
            sa.Integer,
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("paper_id", sa.Text, primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("digest_papers")
    op.drop_table("deliveries")
    op.drop_table("subscriptions")
