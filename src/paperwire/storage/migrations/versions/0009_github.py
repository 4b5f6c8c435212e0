"""github: GitHub repositories' stars, and code links found in stored papers' abstracts and comments

Papers imported before this revision get the code link that import now finds in the abstract or the
arXiv comment (paperwire/repos.py), where they have none from their source. `github_repos` holds what
`paperwire ingest github` last learned about each repository (docs/ingest.md#github).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from paperwire.repos import code_link

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_BATCH = 2_000


def upgrade() -> None:
    op.create_table(
        "github_repos",
        sa.Column("name", sa.Text, primary_key=True),  # owner/name lower-cased: GitHub ignores case
        sa.Column("full_name", sa.Text, nullable=False),  # as GitHub spells it now (after a rename)
        sa.Column("status", sa.Text, nullable=False),  # ok, missing (404), unavailable (403/451)
        sa.Column("stars", sa.Integer),
        sa.Column("etag", sa.Text),
        sa.Column("checked_at", sa.DateTime, nullable=False),
    )
    _backfill_code_links()


def _backfill_code_links() -> None:
    bind = op.get_bind()
    # Only rows that name a host can gain a link; the LIKEs keep the scan in the database.
    rows = bind.execute(
        sa.text(
            "SELECT id, abstract, comment FROM papers WHERE code_url IS NULL AND ("
            + " OR ".join(
                f"lower({column}) LIKE '%{host}/%'"
                for column in ("abstract", "comment")
                for host in ("github.com", "gitlab.com", "codeberg.org")
            )
            + ")"
        )
    ).fetchall()
    found = [
        {"id": pid, "code": link} for pid, abstract, comment in rows if (link := code_link(abstract, comment))
    ]
    update = sa.text("UPDATE papers SET code_url = :code WHERE id = :id")
    for start in range(0, len(found), _BATCH):
        bind.execute(update, found[start : start + _BATCH])


def downgrade() -> None:
    op.drop_table("github_repos")  # the code links stay: they are what import finds now
