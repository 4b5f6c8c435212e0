"""The Store's ingest methods on a real SQLite file: harvest state, run log, announcement days, HF."""

from datetime import date

from paperwire.models.announcements import AnnouncementDay
from paperwire.models.ingest import HarvestState, HfFeature
from paperwire.models.papers import Links
from paperwire.papers import make_paper
from paperwire.storage import UpsertOutcome


def paper(pid="2503.00001", version=1, **kw):
    return make_paper(id=pid, title="A title", version=version, source="test", **kw)


def test_harvest_state_round_trip(store):
    assert store.ingest.get_harvest("oai:cs") is None
    state = HarvestState("oai:cs", None, date(2025, 1, 1), None, "tok|1000", date(2025, 1, 3), 1, 1000)
    store.ingest.save_harvest(state)
    assert store.ingest.get_harvest("oai:cs") == state
    done = HarvestState("oai:cs", cursor=date(2025, 1, 4))
    store.ingest.save_harvest(done)
    assert store.ingest.get_harvest("oai:cs") == done


def test_run_log(store):
    first = store.ingest.start_run("arxiv", "--set cs", "cli")
    second = store.ingest.start_run("daily", "", "schedule")
    store.ingest.finish_run(first, "error", {"new": 3}, "HTTP 500")
    runs = store.ingest.recent_runs()
    assert [r.id for r in runs] == [second, first]
    assert (runs[0].status, runs[0].finished_at) == ("running", None)
    assert (runs[1].status, runs[1].counts, runs[1].error) == ("error", {"new": 3}, "HTTP 500")
    assert runs[1].finished_at >= runs[1].started_at
    assert [r.id for r in store.ingest.recent_runs(kind="daily", trigger="schedule")] == [second]
    assert store.ingest.recent_runs(kind="daily", trigger="cli") == []


def test_announcement_fills_the_first_date_only(store):
    store.papers.upsert_papers([paper("2503.00001"), paper("2503.00002", announced=date(2025, 3, 10))])
    day = AnnouncementDay("cs.LG", date(2025, 3, 18), True, new=1, cross=1)
    store.announcements.record(day, {"2503.00001": date(2025, 3, 18), "2503.00002": date(2025, 3, 18)})
    assert store.papers.get_paper("2503.00001").announced == date(2025, 3, 18)
    assert store.papers.get_paper("2503.00002").announced == date(2025, 3, 10)  # not re-announced
    quiet = AnnouncementDay("cs.LG", date(2025, 3, 22), False)
    store.announcements.record(quiet, {})
    assert store.announcements.recent("cs.LG") == [quiet, day]
    assert store.announcements.recent("cs.CV") == []


def test_new_version_keeps_announcement_and_foreign_links(store):
    links = Links("https://arxiv.org/abs/2503.00001", None, "https://git.example/x", "https://p.example")
    store.papers.upsert_papers([paper(announced=date(2025, 3, 18), links=links)])
    assert store.papers.upsert_papers(
        [paper(version=2, links=Links("https://arxiv.org/abs/2503.00001"))]
    ) == [UpsertOutcome.UPDATED]
    got = store.papers.get_paper("2503.00001")
    assert (got.version, got.announced, got.links) == (2, date(2025, 3, 18), links)
    store.papers.upsert_papers([paper(version=3, announced=date(2025, 3, 1))])
    assert store.papers.get_paper("2503.00001").announced == date(2025, 3, 1)  # an earlier one wins


def test_hf_features(store):
    store.papers.upsert_papers([paper("2503.00001"), paper("2503.00002")])
    day = date(2025, 3, 18)
    store.ingest.upsert_hf_features(
        [HfFeature("2503.00001", day, "Ada", 5), HfFeature("2503.00002", day, None, 9)]
    )
    store.ingest.upsert_hf_features([HfFeature("2503.00001", day, None, 12)])  # upvotes move; submitter stays
    assert store.ingest.hf_features(day) == [
        HfFeature("2503.00001", day, "Ada", 12),
        HfFeature("2503.00002", day, None, 9),
    ]
    assert store.ingest.hf_features(paper_id="2503.00002") == [HfFeature("2503.00002", day, None, 9)]
    assert store.ingest.hf_features(date(2025, 3, 19)) == []
