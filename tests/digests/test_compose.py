"""Composing one subscriber's digest from what a period offers and their "for you" ranking: pure,
deterministic, no repeats, and an empty digest always says why."""

from datetime import date

from paperwire.digests.compose import Candidates, ForYouSection, compose, interest_counts
from paperwire.models.digests import FOR_YOU, TRENDING, DigestItem
from paperwire.models.foryou import Profile, Why
from paperwire.models.papers import RankedPaper
from paperwire.models.subscriptions import Subscription
from paperwire.recommend.foryou import ModelScores, Window, rank
from paperwire.subscriptions import daily_period, weekly_period
from tests.support.hub import papers_of_week

DAY = date(2025, 3, 18)
TOPIC = Why('matches your topic "language models": language', "topic", topic="language models")


def _rows() -> list[RankedPaper]:
    return [
        RankedPaper(p, p.announced, upvotes=int(p.id[-1]) % 3)
        for p in papers_of_week()
        if p.announced and p.announced <= DAY
    ]


def _candidates(trending=("2503.10004", "2503.10001"), rows=None) -> Candidates:
    window = Window.of(_rows() if rows is None else rows)
    return Candidates(daily_period(DAY), window.papers, trending=list(trending))


def _sub(**kw) -> Subscription:
    return Subscription(1, "a@x.org", status="active", **{"trending": 2, "max_papers": 20, **kw})


def _section(profile: Profile, scored=None, problem=None) -> ForYouSection:
    model = ModelScores(scored or {}, problem)
    return ForYouSection(profile, rank(Window.of(_rows()), profile, model, 50), problem)


def test_trending_first_then_papers_for_you_with_their_reasons():
    profile = Profile(topics=["language models"], authors=["Alan Turing"])
    section = _section(profile, {"2503.10003": (0.9, TOPIC)})
    items, why = compose(_sub(), _candidates(), set(), section)
    assert why is None
    assert items[:2] == [DigestItem("2503.10004", TRENDING), DigestItem("2503.10001", TRENDING)]
    # Alan Turing also wrote the trending 2503.10004: a paper appears once, in its first section.
    assert items[2:] == [
        DigestItem("2503.10002", FOR_YOU, "by Alan Turing, an author you follow"),
        DigestItem("2503.10003", FOR_YOU, TOPIC.text),
    ]


def test_the_for_you_order_is_the_rankings():
    # The model's best, lifted by a followed category, then a paper that only the category brings.
    profile = Profile(topics=["vision"], categories=["cs.CV"])
    scored = {"2503.10003": (1.0, TOPIC), "2503.10002": (0.8, TOPIC)}
    items, _ = compose(_sub(trending=0), _candidates(), set(), _section(profile, scored))
    assert [(i.paper_id, i.reason) for i in items] == [
        ("2503.10002", TOPIC.text),  # 0.8 + 0.3 for cs.CV
        ("2503.10003", TOPIC.text),  # 1.0
        ("2503.10004", "in cs.CV, a category you follow"),  # 0.3
    ]


def test_papers_sent_before_are_never_sent_again_and_the_empty_digest_says_so():
    sub, c = _sub(), _candidates()
    section = _section(Profile(categories=["cs.CV", "cs.LG", "cs.CL"]))
    first, _ = compose(sub, c, set(), section)
    again, why = compose(sub, c, {i.paper_id for i in first}, section)
    assert first and again == []
    assert why == "every paper of the period was in an earlier digest"


def test_same_inputs_same_digest():
    profile = Profile(topics=["vision"], categories=["cs.LG", "cs.CV"])
    scored = {"2503.10004": (1.0, TOPIC), "2503.10002": (0.5, TOPIC)}
    sub = _sub(trending=1)
    assert compose(sub, _candidates(), set(), _section(profile, scored)) == compose(
        sub, _candidates(), set(), _section(profile, dict(scored))
    )


def test_max_papers_and_sections_switched_off():
    c = _candidates()
    section = _section(Profile(categories=["cs.LG", "cs.CV", "cs.CL"]))
    assert len(compose(_sub(trending=2, max_papers=3), c, set(), section)[0]) == 3
    assert compose(_sub(trending=2, max_papers=1), c, set(), section)[0] == [
        DigestItem("2503.10004", TRENDING)
    ]
    only_trending, _ = compose(_sub(trending=5, for_you=False), c, set(), section)
    assert {i.section for i in only_trending} == {TRENDING}


def test_an_empty_digest_says_why_in_each_case():
    nothing = Profile()
    following = Profile(positives=["2502.00001", "2502.00002"], topics=["a", "b", "c"], authors=["Nobody"])

    def why(sub, c=None, sent=(), section=None):
        items, reason = compose(sub, c or _candidates(), set(sent), section)
        assert items == []
        return reason

    empty_day = Candidates(daily_period(DAY), {}, [])
    assert why(_sub(), empty_day) == "no papers were announced for 2025-03-18"
    empty_week = Candidates(weekly_period(DAY), {}, [])
    assert why(_sub(), empty_week) == "no papers were announced from 2025-03-12 to 2025-03-18"
    assert why(_sub(for_you=False), _candidates(trending=())) == "for you is off and nothing is trending"
    sent_trending = {"2503.10004", "2503.10001"}
    assert why(_sub(for_you=False), sent=sent_trending) == (
        "for you is off and every trending paper was in an earlier digest"
    )
    assert why(_sub(trending=0), section=_section(following)) == (
        "the trending section is off and no paper matched your interests (2 liked papers, 3 topics, 1 author)"
    )
    unranked = _section(
        following, problem="the liked papers are not embedded yet: try again in a few minutes"
    )
    assert why(_sub(), _candidates(trending=()), section=unranked) == (
        "nothing is trending and no paper matched your interests (2 liked papers, 3 topics, 1 author): "
        "the liked papers are not embedded yet: try again in a few minutes"
    )
    assert why(_sub(trending=0), section=_section(nothing)) == (
        "the trending section is off and you follow no topic, author or category and like no paper"
    )


def test_interest_counts_in_words():
    assert interest_counts(Profile(topics=["a"], categories=["cs.LG", "cs.CV"])) == "1 topic, 2 categories"
    assert interest_counts(Profile(positives=["x"], authors=["A", "B"])) == "1 liked paper, 2 authors"
