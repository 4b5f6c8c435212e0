"""The one "For you" ranking (recommend/foryou.py) that the page and the digests share: a profile of
liked and dismissed papers, lifts for followed authors and categories, papers left out. Pure parts
here; through the real model and app in tests/web/test_foryou.py and tests/digests/test_plan.py."""

from paperwire.models.foryou import Profile, Why
from paperwire.models.interests import Interests
from paperwire.models.library import Signals
from paperwire.models.papers import RankedPaper
from paperwire.recommend.foryou import AUTHOR_LIFT, CATEGORY_LIFT, ModelScores, Window, profile_of, rank
from tests.support.hub import papers_of_week

LIKED = Why('close to "Graph networks" (2503.10001)', "liked", paper_id="2503.10001")


def _window() -> Window:
    return Window.of(RankedPaper(p, p.announced, upvotes=0) for p in papers_of_week() if p.announced)


def ids(ranked) -> list[str]:
    return [p.row.paper.id for p in ranked]


def test_the_window_indexes_authors_and_categories_and_orders_the_pool_newest_first():
    w = _window()
    assert w.candidates == sorted(w.papers, reverse=True) and len(w.candidates) == 8
    assert w.by_author["alan turing"] == ["2503.10004", "2503.10002"]
    assert w.by_category["cs.cv"] == ["2503.10004", "2503.10002"]


def test_followed_authors_come_first_and_categories_lift():
    model = ModelScores({"2503.10005": (1.0, LIKED), "2503.10008": (0.5, LIKED)})
    profile = Profile(topics=["x"], authors=["  donald   KNUTH "], categories=["CS.AI"])
    ranked = rank(_window(), profile, model, 10)
    assert ids(ranked) == ["2503.10008", "2503.10005", "2503.10006", "2503.10007"]
    knuth, liked, *categories = ranked
    assert knuth.score == 0.5 + AUTHOR_LIFT and knuth.why.text == "by Donald Knuth, an author you follow"
    assert liked.why is LIKED and liked.score == 1.0
    assert [p.score for p in categories] == [CATEGORY_LIFT, CATEGORY_LIFT]  # equal: by id
    assert categories[0].why.text == "in cs.AI, a category you follow"


def test_left_out_papers_and_the_limit():
    model = ModelScores({"2503.10005": (1.0, LIKED), "2503.10008": (0.5, LIKED)})
    profile = Profile(categories=["cs.CL"], leave_out={"2503.10005"})
    assert ids(rank(_window(), profile, model, 10)) == ["2503.10008", "2503.10003"]
    assert ids(rank(_window(), profile, model, 1)) == ["2503.10008"]
    assert rank(_window(), Profile(), ModelScores(), 10) == []


def test_a_members_profile():
    signals = Signals(
        saved=["s1", "both"],
        upvoted=["u1", "s1"],
        collected=["c1"],
        not_interested=["both", "n1"],
        read=["r1"],
    )
    p = profile_of(signals, Interests(["graphs"], ["Ada"], ["cs.LG"]), leave_out={"sent"})
    assert p.positives == ["s1", "both", "c1", "u1"]  # saved, collected, upvoted; each once
    assert p.negatives == ["n1"]  # liked and dismissed at once: liked
    assert (p.topics, p.authors, p.categories) == (["graphs"], ["Ada"], ["cs.LG"])
    assert p.leave_out == {"s1", "both", "u1", "c1", "n1", "r1", "sent"}
    assert p.model_inputs and not p.empty
    assert Profile(categories=["cs.LG"]).empty is False and not Profile(categories=["cs.LG"]).model_inputs
