"""Comments keep their rendered HTML: rendered once when posted, migrated for old comments (0010), and
rendered again after a renderer change. Both databases."""

import pytest
import sqlalchemy as sa
from alembic import command

from paperwire.comments import render_markdown
from paperwire.models.comments import RENDERER_VERSION
from paperwire.papers import make_paper
from paperwire.storage import NotFound, open_store
from paperwire.storage.migrate import _config, sqlalchemy_url

NESTED = "[" * 10_000  # the comment: ~90 ms to render, once


def test_a_comment_is_stored_with_its_html(store):
    store.papers.upsert_papers([make_paper(id="2503.00001", title="A paper", source="test")])
    user = store.users.get_or_create_user("ada@example.org")
    posted = store.comments.add_comment(
        "2503.00001", user.id, "**bold** <script>x</script>", render_markdown("**bold** <script>x</script>")
    )
    assert posted.rendered == "<p><strong>bold</strong> &lt;script&gt;x&lt;/script&gt;</p>\n"
    assert store.comments.paper_comments("2503.00001")[0].rendered == posted.rendered
    assert store.comments.user_comments(user.id)[0].html == posted.rendered
    assert store.comments.rerender_comments(render_markdown) == 0  # all current


def test_a_renderer_change_renders_again(store, settings):
    store.papers.upsert_papers([make_paper(id="2503.00001", title="A paper", source="test")])
    user = store.users.get_or_create_user("ada@example.org")
    first = store.comments.add_comment("2503.00001", user.id, "*one*", render_markdown("*one*"))
    second = store.comments.add_comment("2503.00001", user.id, NESTED, render_markdown(NESTED))
    engine = sa.create_engine(sqlalchemy_url(settings.resolved_database_url))
    with engine.begin() as conn:  # as an older renderer would have left them
        old = {"v": RENDERER_VERSION - 1}
        conn.execute(sa.text("UPDATE comments SET html = 'stale', renderer = :v"), old)
    engine.dispose()
    stale = store.comments.get_comment(first.id)
    assert stale.rendered is None and stale.html == "<p><em>one</em></p>\n"  # never the stale HTML
    assert store.comments.rerender_comments(render_markdown, batch=1) == 2
    assert store.comments.get_comment(first.id).rendered == "<p><em>one</em></p>\n"
    assert store.comments.get_comment(second.id).rendered == render_markdown(NESTED)
    assert store.comments.rerender_comments(render_markdown) == 0


def test_the_migration_renders_existing_comments(store, settings):
    store.papers.upsert_papers([make_paper(id="2503.00001", title="A paper", source="test")])
    user = store.users.get_or_create_user("ada@example.org")
    for body in ("*old*", NESTED):
        store.comments.add_comment("2503.00001", user.id, body, render_markdown(body))
    store.close()
    db_url = settings.resolved_database_url
    command.downgrade(_config(db_url), "0009")  # comments as they were stored before 0010: no HTML
    command.upgrade(_config(db_url), "head")
    with open_store(settings) as reopened:
        old, nested = reopened.comments.paper_comments("2503.00001")
        assert old.rendered == "<p><em>old</em></p>\n" and nested.rendered == render_markdown(NESTED)
        assert reopened.comments.rerender_comments(render_markdown) == 0


def test_comments_count_hide_and_delete(seeded):
    user = seeded.users.get_or_create_user("a@example.org")
    c1 = seeded.comments.add_comment(
        "2503.00001", user.id, "First *comment*", render_markdown("First *comment*")
    )
    c2 = seeded.comments.add_comment("2503.00001", user.id, "Second", render_markdown("Second"))
    assert (c1.author, c1.body, c1.paper_id) == ("a", "First *comment*", "2503.00001")
    assert [c.id for c in seeded.comments.paper_comments("2503.00001")] == [c1.id, c2.id]
    assert seeded.papers.paper_activity("2503.00001").num_comments == 2
    seeded.comments.set_comment_hidden(c1.id, True)
    assert [c.id for c in seeded.comments.paper_comments("2503.00001")] == [c2.id]
    assert len(seeded.comments.paper_comments("2503.00001", include_hidden=True)) == 2
    assert seeded.papers.paper_activity("2503.00001").num_comments == 1
    seeded.comments.delete_comment(c2.id)
    assert seeded.comments.get_comment(c2.id) is None
    assert seeded.papers.paper_activity("2503.00001").num_comments == 0
    assert [c.id for c in seeded.comments.user_comments(user.id)] == [
        c1.id
    ]  # the author still sees a hidden one
    with pytest.raises(NotFound):
        seeded.comments.delete_comment(c2.id)
    with pytest.raises(NotFound):
        seeded.comments.add_comment("9999.99999", user.id, "x", render_markdown("x"))
