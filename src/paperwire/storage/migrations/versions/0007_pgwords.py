"""pgwords: on PostgreSQL with pg_trgm, the corpus's words with a trigram index; nothing elsewhere

Typo tolerance two edits away for long words (storage/postgres_words.py). Without pg_trgm this changes
nothing; `paperwire migrate` sets it up later if the server gains pg_trgm.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from alembic import op

from paperwire.storage import postgres_words

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        postgres_words.ensure(bind.connection.driver_connection)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        postgres_words.drop(bind.connection.driver_connection)
