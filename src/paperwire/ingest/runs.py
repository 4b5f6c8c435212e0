"""The ingest run log: every run is recorded with its counts and, if it failed, its one-line error."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from paperwire.storage import Store

log = logging.getLogger("paperwire.ingest")


@contextmanager
def logged_run(store: Store, kind: str, args: str = "", trigger: str = "cli") -> Iterator[Counter]:
    """Log a run as running, then as ok or error with the counts the body put in the Counter."""
    run_id = store.ingest.start_run(kind, args, trigger)
    counts: Counter = Counter()
    try:
        yield counts
    except KeyboardInterrupt:
        store.ingest.finish_run(run_id, "error", +counts, "interrupted")
        raise
    except Exception as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        if trigger != "cli":  # the CLI prints the error itself, once
            log.error("ingest %s failed: %s", kind, message)
        store.ingest.finish_run(run_id, "error", +counts, message)
        raise
    # Rejected records and failed ids or categories do not stop a run, but it did not all succeed.
    failures = ", ".join(f"{counts[k]} {k}" for k in ("rejected", "failed") if counts.get(k))
    store.ingest.finish_run(
        run_id, "error" if failures else "ok", +counts, f"{failures} (see the log)" if failures else None
    )
    log.info("ingest %s: %s", kind, format_counts(counts))


def format_counts(counts: dict) -> str:
    """'3 new, 1 updated, 2 failed': non-zero counts in the order they arose, failures last."""
    failures = ("rejected", "failed")
    counts = {k: v for k, v in counts.items() if k not in failures} | {k: counts.get(k, 0) for k in failures}
    return ", ".join(f"{v} {k}" for k, v in counts.items() if v) or "nothing to do"
