"""The ingest schedule inside `paperwire serve`: a tick thread that runs the daily announcement and
Hugging Face ingests once a day, at PAPERWIRE_INGEST_TIME in PAPERWIRE_INGEST_TIMEZONE, then GitHub's
stars when a token is set.

Whether a run is due is read from the run log, so a restart neither repeats nor skips the day's run: a
hub that was down at the time runs it when it comes back. With PAPERWIRE_INGEST_SCHEDULE=false, cron
runs the same `paperwire ingest daily` and `paperwire ingest hf` commands instead.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from paperwire.jobs import INGEST, Ticker, exclusive
from paperwire.settings import Settings
from paperwire.storage import Store

log = logging.getLogger("paperwire.ingest")
TRIGGER = "schedule"
IMPORT_HINT = "import a file with `paperwire import FILE.jsonl[.gz]` (see docs/importing.md)"
EMPTY_AFTER_INGEST = (
    "the hub still has no papers after the scheduled ingest (`paperwire ingest status` says why); "
    f"without network access, {IMPORT_HINT}"
)


def latest_slot(settings: Settings, now: datetime) -> datetime:
    """The most recent scheduled moment at or before `now` (aware), in the schedule's time zone."""
    local = now.astimezone(ZoneInfo(settings.ingest_timezone))
    hour, minute = map(int, settings.ingest_time.split(":"))
    slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return slot if slot <= local else slot - timedelta(days=1)


def is_due(settings: Settings, store: Store, now: datetime) -> bool:
    """Whether the latest slot has no finished scheduled run yet (a new hub's is due at once)."""
    # Asked again under the job lock before running. A run still marked running was then cut short by a
    # crash (its process would hold the lock otherwise), so only finished runs count: it is done again.
    runs = store.ingest.recent_runs(limit=10, kind="daily", trigger=TRIGGER)
    last = next((r for r in runs if r.status != "running"), None)
    return last is None or last.started_at < latest_slot(settings, now)


def empty_hub_hint(settings: Settings, store: Store, now: datetime) -> str:
    """What `serve` says on a hub with no papers: whether the schedule fetches some now, and how to
    import a file instead (no network access)."""
    if settings.ingest_schedule and is_due(settings, store, now):
        return (
            "fetching the latest arXiv announcements and Hugging Face daily papers in the background "
            f"(`paperwire ingest status` shows how it went); without network access, {IMPORT_HINT}"
        )
    when = ""
    if settings.ingest_schedule:
        slot = latest_slot(settings, now) + timedelta(days=1)
        when = f"the next scheduled ingest is at {slot:%Y-%m-%d %H:%M} {settings.ingest_timezone}; "
    return f"{when}fetch papers now with `paperwire ingest daily` and `paperwire ingest hf`, or {IMPORT_HINT}"


def run_scheduled(settings: Settings, store: Store, now: datetime) -> list[str]:
    """One scheduled ingest: the announcement feeds, then Hugging Face's previous and current day.
    Each is logged as its own run; a failure of one does not stop the others. The jobs share one set
    of fetchers, so arXiv's interval holds across them. Returns why sources were unreachable, if any:
    a job whose source was found unreachable by an earlier one is not tried again in this run."""
    from paperwire.ingest.announcements import ingest_daily
    from paperwire.ingest.hf import ingest_hf
    from paperwire.ingest.http import open_fetchers

    s = settings
    today = now.astimezone(ZoneInfo(s.ingest_timezone)).date()
    with contextlib.ExitStack() as stack:
        opened = []

        def fetchers():
            # Opened inside the first job, so a missing contact address is recorded as its error.
            if not opened:
                opened.append(stack.enter_context(open_fetchers(s)))
            return opened[0]

        _job(store, "daily", s.ingest_categories, lambda counts: ingest_daily(
            store, fetchers().arxiv, s.arxiv_feed_url, s.arxiv_api_url, s.categories, counts
        ))  # fmt: skip
        for day in (today - timedelta(days=1), today):
            if opened and opened[0].hf.unreachable:
                log.info("ingest hf --date %s: not tried, Hugging Face is unreachable", day)
                continue
            period = {"date": day.isoformat()}
            _job(store, "hf", f"--date {day}", lambda counts, p=period: ingest_hf(
                store, fetchers(), s.hf_url, s.arxiv_api_url, p, counts
            ))  # fmt: skip
        if s.github_token and s.github_schedule:
            _job(store, "github", "", lambda counts: _github(s, store, counts))
        return (
            [f"{f.name} ({f.unreachable})" for f in (opened[0].arxiv, opened[0].hf) if f.unreachable]
            if opened
            else []
        )


def _github(settings: Settings, store: Store, counts) -> None:
    """Stars of the repositories papers link to, after the papers of the day are in."""
    from paperwire.ingest.stars import ingest_github, open_github

    fetcher = open_github(settings)
    try:
        ingest_github(store, fetcher, settings, counts)
    finally:
        fetcher.close()


def unreachable_hint(reasons: list[str], empty: bool, next_slot: str) -> str:
    """The one line a scheduled run ends with when sources could not be reached at all."""
    what = " or ".join(reasons)
    if empty:
        return f"could not reach {what}; the hub has no papers: {IMPORT_HINT}"
    return f"could not reach {what}; the next try is at {next_slot}"


def _job(store: Store, kind: str, args: str, body) -> None:
    from paperwire.ingest.runs import logged_run

    # logged_run logs a failure and records it in the run log; the schedule goes on to the next job.
    with contextlib.suppress(Exception), logged_run(store, kind, args, TRIGGER) as counts:
        body(counts)


class Scheduler(Ticker):
    """Ticks every `tick` seconds; runs the scheduled ingest when the latest slot has no run yet."""

    failure = "the scheduled ingest failed"
    stop_timeout = 5.0

    def __init__(
        self,
        settings: Settings,
        store: Store,
        tick: float = 30.0,
        clock: Callable[[], datetime] | None = None,
    ):
        super().__init__(tick, "paperwire-ingest-schedule", log)
        self.settings = settings
        self.store = store
        self.clock = clock or (lambda: datetime.now(UTC))

    def tick(self) -> None:
        self.run_if_due(self.clock())

    def due(self, now: datetime) -> bool:
        return is_due(self.settings, self.store, now)

    def run_if_due(self, now: datetime) -> bool:
        """Run the scheduled ingest unless it has run since the latest slot, in this process or any
        other on the database (every `serve` has a schedule: one of them runs it). True if it ran."""
        if not self.due(now):
            return False
        # A new hub's first run is a catch-up at start, not the run of the slot it happens to follow.
        first = not self.store.ingest.recent_runs(limit=1, kind="daily", trigger=TRIGGER)
        what = (
            "first ingest of this hub"
            if first
            else f"scheduled ingest for {latest_slot(self.settings, now).isoformat()}"
        )

        def waiting() -> None:
            log.info("%s: another process holds the ingest lock; waiting", what)

        with exclusive(self.store, INGEST, wait=True, stop=self._stop, on_wait=waiting) as got:
            if not got:
                return False  # stopping
            if not self.due(now):
                log.info("%s: already run by another process", what)
                return False
            log.info("%s starts%s", what, f" (then daily at {self._at()})" if first else "")
            unreachable = run_scheduled(self.settings, self.store, now)
        empty = not self.store.papers.count_papers()
        if unreachable:
            next_slot = latest_slot(self.settings, now) + timedelta(days=1)
            log.warning(
                unreachable_hint(
                    unreachable, empty, f"{next_slot:%Y-%m-%d %H:%M} {self.settings.ingest_timezone}"
                )
            )
        elif empty:
            log.warning(EMPTY_AFTER_INGEST)
        return True

    def _at(self) -> str:
        return f"{self.settings.ingest_time} {self.settings.ingest_timezone}"


def start_schedule(settings: Settings, store: Store) -> Scheduler | None:
    """Start the schedule if PAPERWIRE_INGEST_SCHEDULE is on; the caller stops it."""
    if not settings.ingest_schedule:
        return None
    if not log.handlers and not logging.getLogger().handlers:  # serve configures only uvicorn's loggers
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    if not settings.contact_email:
        log.warning(
            "PAPERWIRE_CONTACT_EMAIL is not set: arXiv and Hugging Face get no address to reach whoever "
            "runs this hub; please set it (see docs/ingest.md)"
        )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request in the serve log
    log.info("ingest schedule: daily at %s %s", settings.ingest_time, settings.ingest_timezone)
    if not settings.github_token:
        log.info("GitHub stars: off (PAPERWIRE_GITHUB_TOKEN is not set)")
    elif not settings.github_schedule:
        log.info("GitHub stars: not scheduled (PAPERWIRE_GITHUB_SCHEDULE=false)")
    return Scheduler(settings, store).start()
