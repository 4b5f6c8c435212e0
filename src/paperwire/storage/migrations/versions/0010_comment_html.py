"""comment_html: comments keep their rendered, sanitised HTML and the renderer's version

A comment was rendered from Markdown on every view (a long one of nested brackets costs ~90 ms each
time); now it is rendered once, when posted. Existing comments are rendered here. A later renderer
(comments.RENDERER_VERSION) re-renders them at `serve`'s start-up, and on reading until then.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from paperwire.comments import render_markdown
    from paperwire.models.comments import RENDERER_VERSION

    op.add_column("comments", sa.Column("html", sa.Text))
    op.add_column("comments", sa.Column("renderer", sa.Integer, nullable=False, server_default="0"))
    conn = op.get_bind()
    after = 0
    while True:
        rows = conn.execute(
            sa.text("SELECT id, body FROM comments WHERE id > :after ORDER BY id LIMIT 500"), {"after": after}
        ).fetchall()
        if not rows:
            break
        conn.execute(
            sa.text("UPDATE comments SET html = :html, renderer = :renderer WHERE id = :id"),
            [{"html": render_markdown(body), "renderer": RENDERER_VERSION, "id": cid} for cid, body in rows],
        )
        after = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("renderer")
        batch.drop_column("html")
