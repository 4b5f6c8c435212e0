from datetime import date

from paperwire.votes import trending_order, trending_score

TODAY = date(2025, 3, 20)


def test_votes_decay_with_age():
    assert trending_score(10, TODAY, TODAY) > trending_score(10, date(2025, 3, 19), TODAY)
    # Yesterday's paper needs (3/2)^1.5 = 1.84x the votes to rank level with today's.
    assert trending_score(184, date(2025, 3, 19), TODAY) > trending_score(100, TODAY, TODAY)
    assert trending_score(183, date(2025, 3, 19), TODAY) < trending_score(100, TODAY, TODAY)
    assert trending_score(5, date(2025, 3, 25), TODAY) == trending_score(5, TODAY, TODAY)  # no negative age


def test_trending_order_breaks_ties_by_day_then_id():
    rows = [
        ("a", date(2025, 3, 18), 0),
        ("b", date(2025, 3, 20), 0),
        ("c", date(2025, 3, 20), 3),
        ("d", date(2025, 3, 10), 50),
        ("e", date(2025, 3, 20), 0),
    ]
    assert trending_order(rows, TODAY) == ["d", "c", "e", "b", "a"]
