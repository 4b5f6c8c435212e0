"""Recorded arXiv announcement feeds, and waiting for the ingest schedule's runs."""

from __future__ import annotations

import time

from tests.support.paths import DATA

FEEDS = DATA / "feed"
TUESDAY = (FEEDS / "cs.LG-2025-03-18.xml").read_bytes()
SATURDAY = (FEEDS / "cs.LG-2025-03-22.xml").read_bytes()
STALE = (FEEDS / "cs.LG-stale.xml").read_bytes()


def wait_for_runs(store, count, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        runs = store.ingest.recent_runs(trigger="schedule")
        if len(runs) >= count and all(r.status != "running" for r in runs):
            return runs
        assert time.monotonic() < deadline, runs
        time.sleep(0.05)
