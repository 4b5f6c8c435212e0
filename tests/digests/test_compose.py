"""Composing one subscriber's digest from what a period offers: pure, deterministic, no repeats."""

from datetime import date

from paperwire.digests.compose import Candidates, compose
from paperwire.models.digests import FOR_YOU, TRENDING, DigestItem
from paperwire.models.papers import RankedPaper
from paperwire.models.subscriptions import Subscription
from paperwire.subscriptions import daily_period
from tests.support.hub import papers_of_week

DAY = date(2025, 3, 18)


def _candidates(**hits) -> Candidates:
    pool = {
        p.id: RankedPaper(p, p.announced, upvotes=int(p.id[-1]) % 3)
        for p in papers_of_week()
        if p.announced and p.announced <= DAY
    }
    return Candidates(daily_period(DAY), pool, trending=["2503.10004", "2503.10001"], **hits)


def _sub(**kw) -> Subscription:
    return Subscription(1, "a@x.org", status="active", **{"trending": 2, "max_papers": 20, **kw})


def test_trending_first_then_papers_for_you_with_reasons():
    c = _candidates(topic_hits={"language models": [("2503.10003", 3.2)]})
    items = compose(_sub(topics=["language models"], authors=["Alan Turing"]), c, sent=set())
    assert items[:2] == [DigestItem("2503.10004", TRENDING), DigestItem("2503.10001", TRENDING)]
    # Alan Turing also wrote the trending 2503.10004: a paper appears once, in its first section.
    assert items[2:] == [
        DigestItem("2503.10002", FOR_YOU, "by Alan Turing, an author you follow"),
        DigestItem("2503.10003", FOR_YOU, "matches your topic “language models”"),
    ]


def test_papers_sent_before_are_never_sent_again():
    c = _candidates()
    sub = _sub(categories=["cs.CV"])
    first = compose(sub, c, sent=set())
    again = compose(sub, c, sent={i.paper_id for i in first})
    assert first and again == []


def test_same_inputs_same_digest():
    c = _candidates(topic_hits={"vision": [("2503.10004", 1.0), ("2503.10002", 0.5)]})
    sub = _sub(trending=0, topics=["vision"], categories=["cs.LG", "cs.CV"])
    assert compose(sub, c, set()) == compose(sub, _candidates(**{"topic_hits": c.topic_hits}), set())


def test_stronger_and_more_matches_rank_higher():
    c = _candidates(topic_hits={"vision": [("2503.10004", 1.0)]})
    items = compose(_sub(trending=0, topics=["vision"], categories=["cs.CV", "cs.LG"]), c, set())
    assert [i.paper_id for i in items] == ["2503.10004", "2503.10002", "2503.10001"]
    assert items[0].reason == "matches your topic “vision”"
    assert items[1].reason == "in cs.CV, a category you follow"


def test_liked_papers_explain_their_neighbours():
    c = _candidates(
        liked_hits={"2503.09999": [("2503.10003", 0.71), ("2503.10001", 0.31)]},
        liked_titles={"2503.09999": "Reasoning in language models"},
    )
    items = compose(_sub(trending=0), c, set(), liked=["2503.09999"])
    assert items == [
        DigestItem("2503.10003", FOR_YOU, "close to “Reasoning in language models”, which you upvoted")
    ]  # 0.31 is below the similarity a liked paper needs


def test_max_papers_and_sections_switched_off():
    c = _candidates()
    assert len(compose(_sub(trending=2, max_papers=3, categories=["cs.LG", "cs.CV", "cs.CL"]), c, set())) == 3
    assert compose(_sub(trending=2, max_papers=1), c, set()) == [DigestItem("2503.10004", TRENDING)]
    only_trending = compose(_sub(trending=5, for_you=False, categories=["cs.CL"]), c, set())
    assert {i.section for i in only_trending} == {TRENDING}


def test_nothing_new_is_an_empty_digest():
    assert compose(_sub(trending=0, authors=["Nobody Known"]), _candidates(), set()) == []
