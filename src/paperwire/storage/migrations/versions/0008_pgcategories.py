"""pgcategories: on PostgreSQL, papers' categories as a GIN-indexed array; nothing on SQLite

A search filtered by a category finds its papers through this index, and ANALYZE keeps how common each
category is, so a rare category is searched exactly over its few papers instead of by walking the HNSW
graph until enough of them turn up (storage/postgres_vectors.py, `nearest`).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Categories lower-cased, as filters compare them; immutable, so that it can be indexed.
CATEGORIES = (
    "CREATE OR REPLACE FUNCTION paperwire_categories(json) RETURNS text[] LANGUAGE sql IMMUTABLE "
    "PARALLEL SAFE RETURN ARRAY(SELECT lower(c) FROM json_array_elements_text($1) c)"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite filters the neighbours the vector index file returns
    op.execute(CATEGORIES)
    op.execute(
        "CREATE INDEX IF NOT EXISTS papers_categories ON papers USING gin (paperwire_categories(categories))"
    )
    op.execute("ANALYZE papers")  # the categories' frequencies, which decide how a filter is searched


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS papers_categories")
    op.execute("DROP FUNCTION IF EXISTS paperwire_categories(json)")
