"""The hub's store methods: users, sign-in tokens, sessions, votes, comments, submissions, listings."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from paperwire.comments import render_markdown
from paperwire.models.ingest import HfFeature
from paperwire.papers import make_paper
from paperwire.storage import NotFound

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


def paper(pid, announced=None, **kw):
    return make_paper(id=pid, title=f"Paper {pid}", source="test", announced=announced, **kw)


@pytest.fixture
def hub(store):
    store.papers.upsert_papers(
        [
            paper("2503.00001", date(2025, 3, 18), categories=["cs.CV", "cs.LG"], authors=["Ada L"]),
            paper("2503.00002", date(2025, 3, 18), categories=["cs.CL"], authors=["Ada L", "Bo M"]),
            paper("2503.00003", date(2025, 3, 19), categories=["cs.LG"]),
            paper("2503.00004", None, published=date(2025, 3, 1)),
        ]
    )
    return store


def test_users_get_unique_usernames_from_their_address(hub):
    a = hub.users.get_or_create_user("jane.doe@example.org")
    b = hub.users.get_or_create_user("jane.doe@other.example")
    assert (a.username, b.username) == ("jane.doe", "jane.doe-2")
    assert hub.users.get_or_create_user("jane.doe@example.org") == a
    assert hub.users.find_user(username="jane.doe-2") == b
    assert hub.users.find_user(email="nobody@example.org") is None
    hub.users.set_admin(a.id, True)
    assert hub.users.get_user(a.id).is_admin


def test_signin_tokens_are_single_use_and_expire(hub):
    hub.users.save_signin_token("n1", "a@example.org", NOW + timedelta(minutes=15))
    hub.users.save_signin_token("n2", "b@example.org", NOW - timedelta(seconds=1))
    assert hub.users.use_signin_token("n1", NOW) == "a@example.org"
    assert hub.users.use_signin_token("n1", NOW) is None  # used
    assert hub.users.use_signin_token("n2", NOW) is None  # expired
    assert hub.users.use_signin_token("unknown", NOW) is None


def test_a_token_used_by_two_threads_at_once_signs_in_once(hub):
    hub.users.save_signin_token("race", "a@example.org", NOW + timedelta(minutes=15))
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(hub.users.use_signin_token("race", NOW)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("a@example.org") == 1


def test_sessions_expire_and_end(hub):
    user = hub.users.get_or_create_user("a@example.org")
    hub.users.create_session("h1", user.id, NOW + timedelta(days=30))
    assert hub.users.session_user("h1", NOW) == user
    assert hub.users.session_user("h1", NOW + timedelta(days=31)) is None
    hub.users.delete_session("h1")
    assert hub.users.session_user("h1", NOW) is None


def test_one_vote_per_user_and_paper_and_it_can_be_taken_back(hub):
    a, b = hub.users.get_or_create_user("a@example.org"), hub.users.get_or_create_user("b@example.org")
    version = hub.papers.community_version()
    assert hub.votes.set_vote(a.id, "2503.00002", True) == 1
    assert hub.votes.set_vote(a.id, "2503.00002", True) == 1  # twice is still one
    assert hub.votes.set_vote(b.id, "2503.00002", True) == 2
    assert hub.votes.voted(a.id, ["2503.00001", "2503.00002"]) == {"2503.00002"}
    assert hub.votes.set_vote(a.id, "2503.00002", False) == 1
    assert hub.votes.set_vote(a.id, "2503.00002", False) == 1  # taking back twice changes nothing
    assert hub.papers.community_version() > version
    assert [p.id for p in hub.votes.user_votes(b.id)] == ["2503.00002"]
    with pytest.raises(NotFound):
        hub.votes.set_vote(a.id, "9999.99999", True)


def test_votes_do_not_touch_the_search_change_seq(hub):
    seq = hub.papers.change_seq()
    user = hub.users.get_or_create_user("a@example.org")
    hub.votes.set_vote(user.id, "2503.00001", True)
    assert hub.papers.change_seq() == seq


def test_comments_count_hide_and_delete(hub):
    user = hub.users.get_or_create_user("a@example.org")
    c1 = hub.comments.add_comment(
        "2503.00001", user.id, "First *comment*", render_markdown("First *comment*")
    )
    c2 = hub.comments.add_comment("2503.00001", user.id, "Second", render_markdown("Second"))
    assert (c1.author, c1.body, c1.paper_id) == ("a", "First *comment*", "2503.00001")
    assert [c.id for c in hub.comments.paper_comments("2503.00001")] == [c1.id, c2.id]
    assert hub.papers.paper_activity("2503.00001").num_comments == 2
    hub.comments.set_comment_hidden(c1.id, True)
    assert [c.id for c in hub.comments.paper_comments("2503.00001")] == [c2.id]
    assert len(hub.comments.paper_comments("2503.00001", include_hidden=True)) == 2
    assert hub.papers.paper_activity("2503.00001").num_comments == 1
    hub.comments.delete_comment(c2.id)
    assert hub.comments.get_comment(c2.id) is None
    assert hub.papers.paper_activity("2503.00001").num_comments == 0
    assert [c.id for c in hub.comments.user_comments(user.id)] == [
        c1.id
    ]  # the author still sees a hidden one
    with pytest.raises(NotFound):
        hub.comments.delete_comment(c2.id)
    with pytest.raises(NotFound):
        hub.comments.add_comment("9999.99999", user.id, "x", render_markdown("x"))


def test_the_daily_listing_joins_announcements_submissions_and_features(hub):
    a, b = hub.users.get_or_create_user("a@example.org"), hub.users.get_or_create_user("b@example.org")
    sub, created = hub.submissions.add_submission("2503.00004", a.id, date(2025, 3, 18))
    assert created and sub.username == "a"
    assert (
        hub.submissions.add_submission("2503.00004", b.id, date(2025, 3, 19))[1] is False
    )  # the first one stays
    hub.ingest.upsert_hf_features([HfFeature("2503.00003", date(2025, 3, 18), "hf-user", 7)])
    hub.votes.set_vote(a.id, "2503.00002", True)
    rows, total = hub.periods.day_papers(date(2025, 3, 18), date(2025, 3, 18))
    assert total == 4
    assert [r.paper.id for r in rows] == ["2503.00002", "2503.00004", "2503.00003", "2503.00001"]
    assert rows[0].upvotes == 1 and rows[1].submitted_by == "a" and rows[1].day == date(2025, 3, 18)
    rows, total = hub.periods.day_papers(date(2025, 3, 18), date(2025, 3, 18), submitter="a")
    assert ([r.paper.id for r in rows], total) == (["2503.00004"], 1)
    rows, total = hub.periods.day_papers(date(2025, 3, 18), date(2025, 3, 18), limit=2, offset=2)
    assert (len(rows), total) == (2, 4)
    rows, total = hub.periods.day_papers(date(2025, 3, 18), date(2025, 3, 18), limit=2, offset=10)
    assert (rows, total) == ([], 4)
    rows, _ = hub.periods.day_papers(date(2025, 3, 17), date(2025, 3, 23), order="newest")
    # A paper's first day in the period counts: 00003 was featured on the 18th, announced on the 19th.
    assert [(r.paper.id, r.day.day) for r in rows] == [(f"2503.0000{i}", 18) for i in (4, 3, 2, 1)]
    assert hub.periods.day_papers(date(2025, 3, 22), date(2025, 3, 22)) == ([], 0)
    assert hub.submissions.user_submissions(a.id)[0].paper.id == "2503.00004"


def test_hidden_papers_leave_every_listing(hub):
    hub.papers.set_paper_hidden("2503.00001", True)
    rows, total = hub.periods.day_papers(date(2025, 3, 18), date(2025, 3, 18))
    assert [r.paper.id for r in rows] == ["2503.00002"] and total == 1
    assert hub.papers.hidden_papers(["2503.00001", "2503.00002"]) == {"2503.00001"}
    assert hub.papers.category_papers("cs.LG", 10) and all(
        r.paper.id != "2503.00001" for r in hub.papers.category_papers("cs.LG", 10)
    )
    assert "2503.00001" not in [t[0] for t in hub.periods.trending_candidates(date(2025, 3, 1))]
    assert hub.papers.ranked_papers(["2503.00001", "2503.00002"])[0].paper.id == "2503.00002"
    hub.papers.set_paper_hidden("2503.00001", False)
    assert hub.periods.day_papers(date(2025, 3, 18), date(2025, 3, 18))[1] == 2


def test_days_categories_and_authors(hub):
    assert hub.periods.neighbour_days(date(2025, 3, 18)) == (None, date(2025, 3, 19))
    assert hub.periods.neighbour_days(date(2025, 3, 22)) == (date(2025, 3, 19), None)
    assert hub.periods.latest_day(date(2025, 3, 30)) == date(2025, 3, 19)
    assert hub.periods.latest_day(date(2025, 3, 1)) is None
    assert [r.paper.id for r in hub.papers.category_papers("cs.LG", 10)] == ["2503.00003", "2503.00001"]
    assert [r.paper.id for r in hub.papers.author_papers("Ada L", 10)] == ["2503.00002", "2503.00001"]
    assert hub.papers.author_papers("Ada", 10) == []  # exact names only
    assert [r.paper.id for r in hub.papers.category_papers("cs.LG", 1, offset=1)] == ["2503.00001"]
    assert hub.papers.count_category_papers("cs.LG") == 2 and hub.papers.count_category_papers("cs.XX") == 0
    hub.papers.set_paper_hidden("2503.00001", True)
    assert hub.papers.count_category_papers("cs.LG") == 1  # hidden papers are not counted, as not listed
    hub.papers.set_paper_hidden("2503.00001", False)
    candidates = dict((pid, day) for pid, day, _ in hub.periods.trending_candidates(date(2025, 3, 19)))
    assert candidates == {"2503.00003": date(2025, 3, 19)}


def test_rate_limits_count_per_key_and_window(hub):
    assert all(hub.limits.hit_rate_limit("vote:1", 60, 3, NOW) for _ in range(3))
    assert not hub.limits.hit_rate_limit("vote:1", 60, 3, NOW)
    assert hub.limits.hit_rate_limit("vote:2", 60, 3, NOW)  # another key
    assert hub.limits.hit_rate_limit("vote:1", 60, 3, NOW + timedelta(seconds=60))  # a new window
