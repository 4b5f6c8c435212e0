"""Comments keep their rendered HTML: rendered once when posted, migrated for old comments (0010), and
rendered again after a renderer change. Both databases."""

import sqlalchemy as sa
from alembic import command

from paperwire.comments import RENDERER_VERSION, render_markdown
from paperwire.papers import make_paper
from paperwire.storage import open_store
from paperwire.storage.migrate import _config, sqlalchemy_url

NESTED = "[" * 10_000  # the comment: ~90 ms to render, once


def test_a_comment_is_stored_with_its_html(store):
    store.upsert_papers([make_paper(id="2503.00001", title="A paper", source="test")])
    user = store.get_or_create_user("ada@example.org")
    posted = store.add_comment("2503.00001", user.id, "**bold** <script>x</script>")
    assert posted.rendered == "<p><strong>bold</strong> &lt;script&gt;x&lt;/script&gt;</p>\n"
    assert store.paper_comments("2503.00001")[0].rendered == posted.rendered
    assert store.user_comments(user.id)[0].html == posted.rendered
    assert store.rerender_comments() == 0  # all current


def test_a_renderer_change_renders_again(store, settings):
    store.upsert_papers([make_paper(id="2503.00001", title="A paper", source="test")])
    user = store.get_or_create_user("ada@example.org")
    first = store.add_comment("2503.00001", user.id, "*one*")
    second = store.add_comment("2503.00001", user.id, NESTED)
    engine = sa.create_engine(sqlalchemy_url(settings.resolved_database_url))
    with engine.begin() as conn:  # as an older renderer would have left them
        old = {"v": RENDERER_VERSION - 1}
        conn.execute(sa.text("UPDATE comments SET html = 'stale', renderer = :v"), old)
    engine.dispose()
    stale = store.get_comment(first.id)
    assert stale.rendered is None and stale.html == "<p><em>one</em></p>\n"  # never the stale HTML
    assert store.rerender_comments(batch=1) == 2
    assert store.get_comment(first.id).rendered == "<p><em>one</em></p>\n"
    assert store.get_comment(second.id).rendered == render_markdown(NESTED)
    assert store.rerender_comments() == 0


def test_the_migration_renders_existing_comments(store, settings):
    store.upsert_papers([make_paper(id="2503.00001", title="A paper", source="test")])
    user = store.get_or_create_user("ada@example.org")
    for body in ("*old*", NESTED):
        store.add_comment("2503.00001", user.id, body)
    store.close()
    db_url = settings.resolved_database_url
    command.downgrade(_config(db_url), "0009")  # comments as they were stored before 0010: no HTML
    command.upgrade(_config(db_url), "head")
    with open_store(settings) as reopened:
        old, nested = reopened.paper_comments("2503.00001")
        assert old.rendered == "<p><em>old</em></p>\n" and nested.rendered == render_markdown(NESTED)
        assert reopened.rerender_comments() == 0
