import logging

from paperwire.search.coverage import Coverage, CoverageCount


class Counter:
    def __init__(self):
        self.papers, self.fail = 10, False

    def __call__(self) -> Coverage:
        if self.fail:
            raise RuntimeError("the database went away")
        return Coverage(
            embedded=5, papers=self.papers, note=f"meaning search covers 5 of {self.papers} papers"
        )


def test_a_count_is_kept_then_made_again_in_the_background_when_old():
    counter = Counter()
    kept = CoverageCount(counter, ttl_s=3600)
    assert kept.get().papers == 10  # the first search counts
    counter.papers = 11
    assert kept.get().papers == 10  # within the TTL: the last count
    kept.ttl_s = 0.0
    assert kept.get().papers == 10  # old: answered at once, counted meanwhile
    kept.wait()
    assert kept.get().papers == 11
    counter.papers = 12
    kept.ttl_s = 3600
    kept.forget()  # this process embedded papers: count at the next search
    assert kept.get() == Coverage(5, 12, "meaning search covers 5 of 12 papers")


def test_a_failed_background_count_keeps_the_last_one(caplog):
    counter = Counter()
    kept = CoverageCount(counter, ttl_s=0.0)
    assert kept.get().papers == 10
    counter.fail, counter.papers = True, 11
    with caplog.at_level(logging.ERROR, logger="paperwire.search"):
        assert kept.get().papers == 10
        kept.wait()
    assert "counting the papers meaning search reaches failed" in caplog.text
    counter.fail = False
    assert kept.get().papers == 10  # the failed count left the last one; this search starts a new one
    kept.wait()
    assert kept.get().papers == 11
