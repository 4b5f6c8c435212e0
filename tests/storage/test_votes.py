"""Votes in the store: one per member and paper, taken back, and the search seq untouched. Both databases."""

from datetime import UTC, datetime

import pytest

from paperwire.storage import NotFound

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


def test_one_vote_per_user_and_paper_and_it_can_be_taken_back(seeded):
    a, b = seeded.users.get_or_create_user("a@example.org"), seeded.users.get_or_create_user("b@example.org")
    version = seeded.papers.community_version()
    assert seeded.votes.set_vote(a.id, "2503.00002", True) == 1
    assert seeded.votes.set_vote(a.id, "2503.00002", True) == 1  # twice is still one
    assert seeded.votes.set_vote(b.id, "2503.00002", True) == 2
    assert seeded.votes.voted(a.id, ["2503.00001", "2503.00002"]) == {"2503.00002"}
    assert seeded.votes.set_vote(a.id, "2503.00002", False) == 1
    assert seeded.votes.set_vote(a.id, "2503.00002", False) == 1  # taking back twice changes nothing
    assert seeded.papers.community_version() > version
    # The page cache's one read of both counters agrees with the two reads.
    assert seeded.papers.counters() == (seeded.papers.change_seq(), seeded.papers.community_version())
    assert [p.id for p in seeded.votes.user_votes(b.id)] == ["2503.00002"]
    with pytest.raises(NotFound):
        seeded.votes.set_vote(a.id, "9999.99999", True)


def test_votes_do_not_touch_the_search_change_seq(seeded):
    seq = seeded.papers.change_seq()
    user = seeded.users.get_or_create_user("a@example.org")
    seeded.votes.set_vote(user.id, "2503.00001", True)
    assert seeded.papers.change_seq() == seq
