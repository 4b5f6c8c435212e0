"""Which digests are due when, and "for you" papers found through the real hybrid search."""

from datetime import UTC, date, datetime, timedelta

import pytest

from paperwire.digests.plan import compose_period, due_periods
from paperwire.models.subscriptions import Preferences
from paperwire.papers import arxiv_links, make_paper
from paperwire.search import open_search
from paperwire.search.indexer import embed_pending
from paperwire.subscriptions import daily_period, weekly_period
from tests.support.hub import papers_of_week

TUE = date(2025, 3, 18)


@pytest.fixture
def week(store):
    store.papers.upsert_papers(papers_of_week())
    return store


def _sub(store, email, status="active", **prefs):
    return store.subscriptions.create_subscription(email, Preferences(**prefs), status=status, nonce="n")[0]


def _paper(pid: str, title: str, abstract: str, day: date):
    links = arxiv_links(pid)
    return make_paper(id=pid, title=title, abstract=abstract, authors=["B"], categories=["cs.LG"],
                      announced=day, links=links, source="arxiv-listing")  # fmt: skip


def _at(day: date, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def test_a_daily_digest_is_due_at_the_subscribers_local_time(week):
    utc = _sub(week, "utc@x.org", send_time="07:00")
    tokyo = _sub(week, "tokyo@x.org", send_time="07:00", timezone="Asia/Tokyo")
    subs = [utc, tokyo]
    # 06:00 UTC on Tuesday is 15:00 in Tokyo: Tokyo's Tuesday digest is due; in UTC it is not 07:00
    # yet, so Monday's is the one due (the ledger makes sure it went out once).
    due = due_periods(week, subs, _at(TUE, "06:00"))
    by_day = {p.key: [s.email for s in v] for p, v in due.items()}
    assert by_day == {"2025-03-17": ["utc@x.org"], "2025-03-18": ["tokyo@x.org"]}
    due = due_periods(week, subs, _at(TUE, "07:00"))
    assert [s.email for s in due[daily_period(TUE)]] == ["utc@x.org", "tokyo@x.org"]
    # Wednesday 07:00 UTC: the latest announcement is Wednesday's for both (Tokyo is on Wednesday evening).
    assert due_periods(week, subs, _at(TUE + timedelta(days=1), "07:00")) == {
        daily_period(TUE + timedelta(days=1)): subs
    }


def test_no_announcement_no_daily_digest_and_no_stale_ones(week):
    sub = _sub(week, "utc@x.org", send_time="07:00")
    saturday = date(2025, 3, 22)
    # Saturday: the latest announcement is Wednesday's, which is what is due (once, by the ledger).
    assert due_periods(week, [sub], _at(saturday, "09:00")) == {daily_period(date(2025, 3, 19)): [sub]}
    # A hub back after a long outage does not send a week-old day.
    assert due_periods(week, [sub], _at(date(2025, 3, 27), "09:00")) == {}
    assert due_periods(week, [sub], _at(TUE, "09:00"), day=saturday) == {}


def test_weekly_digests_follow_the_weekday_and_start_after_confirming(week):
    sub = _sub(week, "w@x.org", frequency="weekly", weekday=2, send_time="08:00")  # Wednesdays
    wed = date(2025, 3, 19)
    sub.confirmed_at = _at(date(2025, 3, 10), "12:00")
    assert due_periods(week, [sub], _at(wed, "07:59")) == {weekly_period(wed - timedelta(days=7)): [sub]}
    assert due_periods(week, [sub], _at(wed, "08:00")) == {weekly_period(wed): [sub]}
    sub.confirmed_at = _at(wed, "07:00")  # confirmed this morning: last week's digest is not sent
    assert due_periods(week, [sub], _at(wed, "07:59")) == {}


def test_periods_already_in_the_ledger_are_not_due(week):
    sub = _sub(week, "utc@x.org")
    (digest,) = compose_period(week, None, daily_period(TUE), [sub], "x.org")
    week.digests.add_deliveries([digest], datetime.now(UTC))
    assert due_periods(week, [sub], _at(TUE, "09:00")) == {}


def test_topics_and_liked_papers_are_matched_by_meaning(settings, store):
    day = TUE
    papers = [
        ("2503.20001", "Graph neural networks for molecule property prediction",
         "Message passing networks predict the properties of molecules from their bonds."),
        ("2503.20002", "Protein structure from sequence with deep learning",
         "We predict how proteins fold from amino acid sequences with attention models."),
        ("2503.20003", "A study of tax policy in small economies",
         "We compare value added taxes across island states."),
        ("2503.20004", "Chemistry-aware message passing on molecular graphs",
         "Molecules as graphs: atoms are nodes and chemical bonds are edges for neural message passing."),
    ]  # fmt: skip
    about = "Learning representations of molecules with graph networks."
    liked = _paper("2502.10000", "Neural networks on molecular graphs", about, date(2025, 2, 3))
    store.papers.upsert_papers([liked] + [_paper(pid, t, a, day) for pid, t, a in papers])
    engine = open_search(settings, store)
    engine.sync_keyword()
    embed_pending(engine)
    user = store.users.get_or_create_user("fan@x.org")
    store.votes.set_vote(user.id, liked.id, True)
    topic = _sub(store, "topic@x.org", trending=0, topics=["protein folding"])
    fan = _sub(store, "fan@x.org", trending=0)
    digests = {
        d.subscription_id: d for d in compose_period(store, engine, daily_period(day), [topic, fan], "x")
    }
    (protein,) = digests[topic.id].items  # found by meaning: "folding" is not a word of the paper
    assert protein.paper_id == "2503.20002" and protein.reason == "matches your topic “protein folding”"
    close = [(i.paper_id, i.reason) for i in digests[fan.id].items]
    assert {pid for pid, _ in close} == {"2503.20001", "2503.20004"}
    assert all(r == "close to “Neural networks on molecular graphs”, which you upvoted" for _, r in close)
