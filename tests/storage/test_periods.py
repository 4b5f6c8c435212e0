"""Listings in the store: a day's papers with announcements, submissions and features; hidden papers;
days, categories and authors. Both databases."""

from datetime import UTC, date, datetime

from paperwire.models.ingest import HfFeature

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


def test_the_daily_listing_joins_announcements_submissions_and_features(seeded):
    a, b = seeded.users.get_or_create_user("a@example.org"), seeded.users.get_or_create_user("b@example.org")
    sub, created = seeded.submissions.add_submission("2503.00004", a.id, date(2025, 3, 18))
    assert created and sub.username == "a"
    assert (
        seeded.submissions.add_submission("2503.00004", b.id, date(2025, 3, 19))[1] is False
    )  # the first one stays
    seeded.ingest.upsert_hf_features([HfFeature("2503.00003", date(2025, 3, 18), "hf-user", 7)])
    seeded.votes.set_vote(a.id, "2503.00002", True)
    rows, total = seeded.periods.day_papers(date(2025, 3, 18), date(2025, 3, 18))
    assert total == 4
    assert [r.paper.id for r in rows] == ["2503.00002", "2503.00004", "2503.00003", "2503.00001"]
    assert rows[0].upvotes == 1 and rows[1].submitted_by == "a" and rows[1].day == date(2025, 3, 18)
    rows, total = seeded.periods.day_papers(date(2025, 3, 18), date(2025, 3, 18), submitter="a")
    assert ([r.paper.id for r in rows], total) == (["2503.00004"], 1)
    rows, total = seeded.periods.day_papers(date(2025, 3, 18), date(2025, 3, 18), limit=2, offset=2)
    assert (len(rows), total) == (2, 4)
    rows, total = seeded.periods.day_papers(date(2025, 3, 18), date(2025, 3, 18), limit=2, offset=10)
    assert (rows, total) == ([], 4)
    rows, _ = seeded.periods.day_papers(date(2025, 3, 17), date(2025, 3, 23), order="newest")
    # A paper's first day in the period counts: 00003 was featured on the 18th, announced on the 19th.
    assert [(r.paper.id, r.day.day) for r in rows] == [(f"2503.0000{i}", 18) for i in (4, 3, 2, 1)]
    assert seeded.periods.day_papers(date(2025, 3, 22), date(2025, 3, 22)) == ([], 0)
    assert seeded.submissions.user_submissions(a.id)[0].paper.id == "2503.00004"


def test_hidden_papers_leave_every_listing(seeded):
    seeded.papers.set_paper_hidden("2503.00001", True)
    rows, total = seeded.periods.day_papers(date(2025, 3, 18), date(2025, 3, 18))
    assert [r.paper.id for r in rows] == ["2503.00002"] and total == 1
    assert seeded.papers.hidden_papers(["2503.00001", "2503.00002"]) == {"2503.00001"}
    assert seeded.papers.category_papers("cs.LG", 10) and all(
        r.paper.id != "2503.00001" for r in seeded.papers.category_papers("cs.LG", 10)
    )
    assert "2503.00001" not in [t[0] for t in seeded.periods.trending_candidates(date(2025, 3, 1))]
    assert seeded.papers.ranked_papers(["2503.00001", "2503.00002"])[0].paper.id == "2503.00002"
    seeded.papers.set_paper_hidden("2503.00001", False)
    assert seeded.periods.day_papers(date(2025, 3, 18), date(2025, 3, 18))[1] == 2


def test_days_categories_and_authors(seeded):
    assert seeded.periods.neighbour_days(date(2025, 3, 18)) == (None, date(2025, 3, 19))
    assert seeded.periods.neighbour_days(date(2025, 3, 22)) == (date(2025, 3, 19), None)
    assert seeded.periods.latest_day(date(2025, 3, 30)) == date(2025, 3, 19)
    assert seeded.periods.latest_day(date(2025, 3, 1)) is None
    assert [r.paper.id for r in seeded.papers.category_papers("cs.LG", 10)] == ["2503.00003", "2503.00001"]
    assert [r.paper.id for r in seeded.papers.author_papers("Ada L", 10)] == ["2503.00002", "2503.00001"]
    assert seeded.papers.author_papers("Ada", 10) == []  # exact names only
    assert [r.paper.id for r in seeded.papers.category_papers("cs.LG", 1, offset=1)] == ["2503.00001"]
    assert (
        seeded.papers.count_category_papers("cs.LG") == 2
        and seeded.papers.count_category_papers("cs.XX") == 0
    )
    seeded.papers.set_paper_hidden("2503.00001", True)
    assert seeded.papers.count_category_papers("cs.LG") == 1  # hidden papers are not counted, as not listed
    seeded.papers.set_paper_hidden("2503.00001", False)
    candidates = dict((pid, day) for pid, day, _ in seeded.periods.trending_candidates(date(2025, 3, 19)))
    assert candidates == {"2503.00003": date(2025, 3, 19)}
