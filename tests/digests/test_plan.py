"""Which digests are due when; the "for you" section, which is the /for-you page's ranking (the same
order and reason lines for the same member and day, through the real app over HTTP and the real
model, on both databases); an empty digest's reason."""

from datetime import UTC, date, datetime, timedelta

import pytest

from paperwire.digests.plan import compose_period, due_periods
from paperwire.models.digests import FOR_YOU
from paperwire.models.subscriptions import Preferences
from paperwire.recommend.service import Recommender
from paperwire.subscriptions import daily_period, weekly_period
from paperwire.web.services import services
from tests.support.foryou import NEAR, foryou_hub, member
from tests.support.hub import papers_of_week
from tests.support.recommend_corpus import DAY, LIKED

TUE = date(2025, 3, 18)


@pytest.fixture
def week(store):
    store.papers.upsert_papers(papers_of_week())
    return store


def _sub(store, email, status="active", **prefs):
    return store.subscriptions.create_subscription(email, Preferences(**prefs), status=status, nonce="n")[0]


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


def test_an_empty_digest_records_why(week):
    empty_week = _sub(week, "w@x.org", frequency="weekly", categories=["cs.CV"])
    # A period without papers composes nothing (the sender reports it), so it is composed once they come.
    assert compose_period(week, None, weekly_period(date(2024, 1, 1)), [empty_week], "x.org") == []
    everything = _sub(week, "all@x.org", trending=0, categories=["cs.CV", "cs.CL"])
    nobody = _sub(week, "nobody@x.org", trending=0, authors=["Nobody Known"])
    first, unmatched = compose_period(week, None, daily_period(TUE), [everything, nobody], "x.org")
    assert len(first.items) == 3 and first.empty_reason is None
    assert (
        unmatched.empty_reason == "the trending section is off and no paper matched your interests (1 author)"
    )
    week.digests.add_deliveries([first, unmatched], datetime.now(UTC))
    (again,) = compose_period(week, None, daily_period(TUE), [everything], "x.org")
    assert again.items == [] and again.empty_reason == "every paper of the period was in an earlier digest"
    (row,) = week.digests.deliveries(status="empty")
    assert row.empty_reason == unmatched.empty_reason


# -- "for you": the page's ranking ------------------------------------------------------------------


class CountingRecommender(Recommender):
    """The real recommender, counting how often a digest run asks it."""

    calls = 0

    def recommend(self, *args, **kwargs):
        self.calls += 1
        return super().recommend(*args, **kwargs)


@pytest.fixture
def hub(tmp_path, model_dir, smtp_inbox, backend, database_url):
    with foryou_hub(tmp_path, model_dir, smtp_inbox, database_url) as hub:
        yield hub


def subscribe(hub, email, **prefs):
    prefs = {"trending": 0, "max_papers": 50, **prefs}
    return hub.store.subscriptions.create_subscription(
        email, Preferences(**prefs), status="active", nonce="n"
    )[0]


def digest(hub, *subs, recommender=None):
    s = services(hub.app)
    return compose_period(s.store, s.search, daily_period(DAY), list(subs), "x.org", recommender)


def for_you(d):
    return [(i.paper_id, i.reason) for i in d.items if i.section == FOR_YOU]


def test_the_page_and_the_mail_agree(hub):
    ada = member(hub, "ada@example.org")
    for pid in LIKED:
        ada.post(f"/api/papers/{pid}/save", json={})
    ada.post("/api/papers/2504.00012/not-interested", json={})
    ada.post("/api/for-you/interests", json={"authors": ["Grace Hopper"], "categories": ["quant-ph"]})
    page = ada.get("/for-you.json", params={"date": DAY.isoformat()}).json()
    (mail,) = digest(hub, subscribe(hub, "ada@example.org"))
    assert for_you(mail) == [(p["id"], p["reason"]["text"]) for p in page["papers"]]
    # The saved papers bring their neighbours, each with the liked paper it is close to; the followed
    # author comes first, and the dismissed paper is in neither.
    assert mail.items[0].paper_id == "2504.00019" and mail.items[0].reason.startswith("by Grace Hopper")
    assert {pid for pid, _ in for_you(mail)[1:3]} == NEAR
    assert all(why.startswith('close to "') for pid, why in for_you(mail) if pid in NEAR)
    assert "2504.00012" not in {pid for pid, _ in for_you(mail)}


def test_a_saved_paper_brings_a_close_one_and_a_dismissal_sinks_its_neighbours(hub):
    bob = member(hub, "bob@example.org")
    sub = subscribe(hub, "bob@example.org")
    (before,) = digest(hub, sub)
    assert before.items == [] and before.empty_reason.endswith(
        "you follow no topic, author or category and like no paper"
    )
    bob.post("/api/papers/2504.00001/save", json={})  # graph networks for molecules
    (saved,) = digest(hub, sub)
    assert {pid for pid, _ in for_you(saved)[:2]} == NEAR
    liked = 'close to "Graph neural networks for molecular property prediction" (2504.00001)'
    assert all(why.startswith(liked) for _, why in for_you(saved)[:2])
    bob.post("/api/papers/2504.00003/save", json={})  # and code generation by language models
    (both,) = digest(hub, sub)
    order = [pid for pid, _ in for_you(both)]
    # "Code completion with large language models" dismissed: "Language models write programs for
    # molecular simulation", its neighbour, sinks below a molecule paper it was above.
    bob.post("/api/papers/2504.00012/not-interested", json={})
    (dismissed,) = digest(hub, sub)
    after = [pid for pid, _ in for_you(dismissed)]
    assert "2504.00012" in order and "2504.00012" not in after
    assert order.index("2504.00018") < order.index("2504.00015")
    assert "2504.00018" not in after or after.index("2504.00018") > after.index("2504.00015")
    bob.post("/api/papers/2504.00018/read", json={})  # read on the page: not mailed either
    (read,) = digest(hub, sub)
    assert "2504.00018" not in [pid for pid, _ in for_you(read)]


def test_followed_authors_and_categories_lift_and_the_model_runs_once_per_profile(hub):
    both = dict(topics=["puppies and dogs"], authors=["grace  HOPPER"], categories=["quant-ph"])
    one = subscribe(hub, "one@x.org", **both)
    two = subscribe(hub, "two@x.org", **both)
    only_categories = subscribe(hub, "cats@x.org", categories=["cs.PL"])
    recommender = CountingRecommender(hub.store, services(hub.app).search)
    first, second, cats = digest(hub, one, two, only_categories, recommender=recommender)
    assert [pid for pid, _ in for_you(first)] == ["2504.00019", "2504.00013", "2504.00014"]
    assert for_you(first)[0][1] == "by Grace Hopper, an author you follow"
    assert for_you(first)[1][1].startswith('matches your topic "puppies and dogs"')
    assert for_you(first)[2][1] == "in quant-ph, a category you follow"
    assert for_you(second) == for_you(first)
    assert for_you(cats) == [("2504.00019", "in cs.PL, a category you follow")]
    assert recommender.calls == 1  # one profile with model inputs; categories alone never reach it
