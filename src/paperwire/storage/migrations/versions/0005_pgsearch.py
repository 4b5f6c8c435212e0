"""pgsearch: on PostgreSQL, search inside the database (full text and pgvector); nothing on SQLite

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from paperwire import PaperwireError

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

DIM = 384  # all-MiniLM-L6-v2; the model identity in search_meta guards against another dimension
# Title above abstract above authors (weights A, B, C; ts_rank gets their values from the query).
# Names are not stemmed ('simple'), like the tantivy index's name field.
SEARCH_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, abstract), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, authors::text), 'C')"
)
# Python's title_key() in SQL, for exact-title pinning (accents are not folded: no unaccent here).
TITLE_KEY = (
    "CREATE FUNCTION paperwire_title_key(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "RETURN btrim(regexp_replace(lower($1), '\\W+', ' ', 'g'))"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite searches with the tantivy and usearch files in the data dir
    _create_vector_extension(bind)
    op.execute(f"ALTER TABLE papers ADD COLUMN search tsvector GENERATED ALWAYS AS ({SEARCH_VECTOR}) STORED")
    op.execute("CREATE INDEX papers_search ON papers USING gin (search)")
    # Keyword ranking weighs words by the lexeme frequencies ANALYZE keeps: track 10,000 lexemes.
    op.execute("ALTER TABLE papers ALTER COLUMN search SET STATISTICS 1000")
    op.execute(TITLE_KEY)
    op.execute("CREATE INDEX papers_title_key ON papers (paperwire_title_key(title))")
    op.execute("CREATE INDEX papers_day ON papers ((coalesce(announced, published, updated)) DESC, id DESC)")
    # The float16 bytes stay (the Store interface hands them out); this column is what is searched.
    op.execute(f"ALTER TABLE embeddings ADD COLUMN embedding halfvec({DIM})")
    _fill_embeddings(bind)
    op.execute(
        "CREATE INDEX embeddings_hnsw ON embeddings USING hnsw (embedding halfvec_cosine_ops) "
        "WITH (m = 16, ef_construction = 64)"
    )


def _create_vector_extension(bind) -> None:
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'vector'")).first():
        return
    allowed = bind.execute(
        sa.text(
            "SELECT rolsuper OR coalesce((SELECT v.trusted FROM pg_available_extension_versions v "
            "JOIN pg_available_extensions a ON a.name = v.name AND a.default_version = v.version "
            "WHERE v.name = 'vector'), false) FROM pg_roles WHERE rolname = current_user"
        )
    ).scalar()
    available = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).first()
    database = bind.execute(sa.text("SELECT current_database()")).scalar()
    if not available:
        raise PaperwireError(
            f"the PostgreSQL server has no pgvector extension: install pgvector (0.8 or newer), "
            f'then run `CREATE EXTENSION vector;` in the database "{database}" and `paperwire migrate`'
        )
    if not allowed:
        raise PaperwireError(
            "Paperwire needs pgvector: as a superuser, run `CREATE EXTENSION vector;` "
            f'in the database "{database}", then run `paperwire migrate` again'
        )
    op.execute("CREATE EXTENSION vector")


def _fill_embeddings(bind) -> None:
    """Embeddings stored before this migration (float16 bytes) get their halfvec, in batches."""
    import numpy as np

    last = 0
    while rows := bind.execute(
        sa.text("SELECT key, vector FROM embeddings WHERE key > :k ORDER BY key LIMIT 5000"), {"k": last}
    ).all():
        values = [
            {"k": key, "v": "[" + ",".join(map(str, np.frombuffer(blob, "<f2").tolist())) + "]"}
            for key, blob in rows
        ]
        bind.execute(sa.text("UPDATE embeddings SET embedding = CAST(:v AS halfvec) WHERE key = :k"), values)
        last = rows[-1][0]


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX embeddings_hnsw")
    op.execute("ALTER TABLE embeddings DROP COLUMN embedding")
    op.execute("DROP INDEX papers_day")
    op.execute("DROP INDEX papers_title_key")
    op.execute("DROP FUNCTION paperwire_title_key(text)")
    op.execute("DROP INDEX papers_search")
    op.execute("ALTER TABLE papers DROP COLUMN search")
