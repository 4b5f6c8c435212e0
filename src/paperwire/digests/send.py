"""Sending digests exactly once: plan into the ledger, then deliver from it.

One run, under the digest job lock (so one sender at a time across processes and hosts):
1. rows left `sending` by a sender that died are made `pending` again (see below);
2. every due digest is composed and written to the ledger as `pending`, with its papers and its
   Message-ID, before any mail goes out. A period already in the ledger is never composed again;
3. each pending row is claimed (`sending`, committed), handed to the SMTP server, and marked `sent`
   as soon as the server accepts it. A temporary failure (4xx, connection trouble) makes it
   `pending` again with a later next attempt; a permanent one (5xx) makes it `failed` and counts a
   bounce against the address.

A crash before the claim loses nothing: the row is still pending. A crash between the server's
acceptance and the `sent` commit (a few milliseconds) leaves the row `sending`; the next run sends it
again with the same Message-ID, which mailbox providers use to drop the duplicate. docs/digests.md
states this guarantee.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from paperwire import PaperwireError
from paperwire.digests.compose import no_papers_reason
from paperwire.digests.links import SubscriptionLinks
from paperwire.digests.plan import active_subscriptions, compose_period, due_periods
from paperwire.digests.render import DigestRenderer
from paperwire.jobs import DIGESTS, exclusive
from paperwire.mail import Mailer, MailError, domain_of
from paperwire.models.digests import Delivery
from paperwire.recommend.service import Recommender
from paperwire.search.engine import SearchEngine
from paperwire.settings import Settings
from paperwire.storage import Store, StoreError

log = logging.getLogger("paperwire.digests")
BATCH = 500
RETRY_WAIT = 60.0  # a run waits for retries due within this many seconds; later ones wait for the next run
CONNECTION_FAILURES = 3  # connection failures in a row that end a run: the SMTP server is down
STORE_RETRY_SECONDS = 120.0  # how long marking a sent mail keeps trying through a database outage


@dataclass(slots=True)
class DigestReport:
    periods: dict[str, int] = field(default_factory=dict)  # period key -> digests composed
    planned: int = 0
    empty: int = 0  # nothing new for the subscriber: recorded, not sent
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deactivated: int = 0
    recovered: int = 0
    waiting: int = 0  # pending rows left for a later run, counted when a retry is not yet due
    # Periods due with no paper yet: period key -> (subscribers, why). Nothing is written for them, so
    # their digests are composed by the first run after their papers arrive.
    no_papers: dict[str, tuple[int, str]] = field(default_factory=dict)
    busy: bool = False  # another sender holds the lock
    error: str | None = None
    next_retry: datetime | None = None

    def summary(self) -> str:
        if self.busy:
            return "another sender is running; it delivers the due digests"
        parts = [f"{self.planned} composed ({self.empty} with nothing new)", f"{self.sent} sent"]
        parts += [f"{n} {what}" for n, what in ((self.retried, "to retry"), (self.failed, "failed")) if n]
        if self.deactivated:
            parts.append(f"{self.deactivated} subscriber(s) deactivated")
        if self.recovered:
            parts.append(f"{self.recovered} interrupted delivery(ies) resent")
        lines = [", ".join(parts)]
        for key, (subscribers, why) in sorted(self.no_papers.items()):
            lines.append(f"{key}: {subscribers} digest(s) not composed yet: {why}")
        return "\n".join(lines)


class DigestSender:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        mailer: Mailer,
        search: SearchEngine | None,
        secret: str,
        clock: Callable[[], datetime] | None = None,
    ):
        self.settings, self.store, self.mailer, self.search = settings, store, mailer, search
        self.clock = clock or (lambda: datetime.now(UTC))
        self.links = SubscriptionLinks(secret, settings.base_url)
        self.renderer = DigestRenderer(mailer, self.links)
        self._pace = _Pace(settings.smtp_rate)
        # One for the sender's life: it keeps the words' rarity (and, with the model's speed work, the
        # pools and topic vectors) across periods and runs.
        self.recommender = Recommender(store, search)

    def run(
        self,
        *,
        day: date | None = None,
        dry_run: bool = False,
        wait: bool = True,
        stop: threading.Event | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> DigestReport:
        """Plan and deliver every due digest (or those for announcement day `day`)."""
        report = DigestReport()
        say = progress or (lambda _m: None)
        with exclusive(
            self.store, DIGESTS, wait=wait, stop=stop, on_wait=lambda: say("waiting for another sender")
        ) as got:
            if not got:
                report.busy = True
                return report
            if not dry_run:
                report.recovered = self.store.digests.recover_deliveries()
            self._plan(report, day, dry_run, say)
            if not dry_run:
                self._deliver(report, stop, say)
        return report

    def compose(self, day: date | None = None) -> tuple[list, DigestReport]:
        """The digests that are due, composed but not written (what --dry-run shows), and the report
        of that planning (periods due without papers among it)."""
        report = DigestReport()
        return self._plan(report, day, True, lambda _m: None), report

    # -- planning ---------------------------------------------------------------------------------

    def _plan(self, report: DigestReport, day: date | None, dry_run: bool, say) -> list:
        now = self.clock()
        due = due_periods(self.store, active_subscriptions(self.store), now, day)
        domain = domain_of(self.mailer.mail_from)
        if due and self.search is not None:
            self.search.sync_keyword()
        composed = []
        for period in sorted(due, key=lambda p: (p.end, p.frequency)):
            subs = due[period]
            say(f"composing {len(subs)} {period.frequency} digest(s) for {period.key}")
            digests = compose_period(self.store, self.search, period, subs, domain, self.recommender)
            if not digests and subs:
                why = no_papers_reason(period)
                report.no_papers[period.key] = (len(subs), why)
                log.info("digests of %s not composed yet: %s", period.key, why)
            composed.extend(digests)
            report.periods[period.key] = len(digests)
            report.planned += len(digests)
            report.empty += sum(1 for d in digests if not d.items)
            if not dry_run:
                for start in range(0, len(digests), BATCH):
                    self.store.digests.add_deliveries(digests[start : start + BATCH], now)
        return composed

    # -- delivering -------------------------------------------------------------------------------

    def _deliver(self, report: DigestReport, stop: threading.Event | None, say) -> None:
        state = _RunState()
        while not (stop and stop.is_set()) and state.error is None:
            batch = self.store.digests.due_deliveries(self.clock(), BATCH)
            if not batch:
                later = self.store.digests.next_retry_at()
                if later is None:
                    break
                delay = (later - self.clock()).total_seconds()
                if delay > RETRY_WAIT:
                    report.next_retry = later
                    # Only then is the count told; a whole-ledger count on every tick would grow with it.
                    report.waiting = self.store.digests.delivery_counts().get("pending", 0)
                    break
                if stop is not None:
                    if stop.wait(max(delay, 0.01)):
                        break
                else:
                    time.sleep(max(delay, 0.01))
                continue
            say(f"sending {len(batch)} digest(s)")
            self._send_batch(batch, report, state, stop)
        report.error = state.error

    def _send_batch(self, batch: list[Delivery], report: DigestReport, state: _RunState, stop) -> None:
        ids = sorted({i.paper_id for d in batch for i in d.items})
        papers = {r.paper.id: r for r in self.store.papers.ranked_papers(ids)}
        work: queue.SimpleQueue[Delivery | None] = queue.SimpleQueue()
        for d in batch:
            work.put(d)
        threads = min(self.settings.smtp_concurrency, len(batch))
        for _ in range(threads):
            work.put(None)
        workers = [
            threading.Thread(target=self._worker, args=(work, papers, report, state, stop), daemon=True)
            for _ in range(threads)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    def _worker(self, work, papers, report: DigestReport, state: _RunState, stop) -> None:
        with self.mailer.session() as session:
            while (d := work.get()) is not None:
                if state.error is not None or (stop and stop.is_set()):
                    continue  # drain: the rest stay pending for the next run
                try:
                    self._deliver_one(d, session, papers, report, state)
                except StoreError as exc:
                    state.fail(f"the database failed: {exc}")
                except PaperwireError as exc:  # a message that cannot be built: keep going with the others
                    log.error("digest %s for %s: %s", d.period, d.email, exc)

    def _deliver_one(self, d: Delivery, session, papers, report: DigestReport, state: _RunState) -> None:
        if not self.store.digests.claim_delivery(d.id, self.clock()):
            return  # another sender has it
        try:
            message = self.renderer.message(d, papers)
        except PaperwireError as exc:
            self.store.digests.fail_delivery(
                d.id, str(exc), bounce=False, max_bounces=self.settings.digest_max_bounces
            )
            state.add(report, "failed")
            raise
        self._pace.wait()
        try:
            session.send(message)
        except MailError as exc:
            self._failed(d, exc, report, state)
            return
        state.connected()
        self._mark_sent(d)
        state.add(report, "sent")

    def _failed(self, d: Delivery, exc: MailError, report: DigestReport, state: _RunState) -> None:
        error = str(exc)
        attempts = d.attempts + 1
        s = self.settings
        if exc.temporary and attempts < s.digest_max_attempts:
            at = self.clock() + timedelta(seconds=s.digest_retry_seconds * 2 ** (attempts - 1))
            self.store.digests.retry_delivery(d.id, error, at)
            state.add(report, "retried")
            log.warning("digest %s for %s: %s; retrying at %s", d.period, d.email, error, at.isoformat())
        else:
            bounce = not exc.temporary
            if self.store.digests.fail_delivery(d.id, error, bounce=bounce, max_bounces=s.digest_max_bounces):
                state.add(report, "deactivated")
                log.warning("deactivated %s after %d permanent failures", d.email, s.digest_max_bounces)
            state.add(report, "failed")
            log.warning("digest %s for %s failed: %s", d.period, d.email, error)
        if exc.temporary and exc.code is None:  # no answer at all, not a refusal of this message
            state.connection_failed(error)
        else:
            state.connected()

    def _mark_sent(self, d: Delivery) -> None:
        # The server has the mail: recording that matters more than anything else this run does, so a
        # database outage is waited out (the pool reconnects) rather than leaving the row `sending`.
        deadline = time.monotonic() + STORE_RETRY_SECONDS
        while True:
            try:
                self.store.digests.delivered(d.id, self.clock())
                return
            except StoreError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


class _RunState:
    def __init__(self):
        self.lock = threading.Lock()
        self.error: str | None = None
        self.failures = 0

    def add(self, report: DigestReport, what: str) -> None:
        with self.lock:
            setattr(report, what, getattr(report, what) + 1)

    def fail(self, error: str) -> None:
        with self.lock:
            self.error = self.error or error

    def connected(self) -> None:
        with self.lock:
            self.failures = 0

    def connection_failed(self, error: str) -> None:
        with self.lock:
            self.failures += 1
            if self.failures >= CONNECTION_FAILURES:
                self.error = self.error or f"stopped sending: {error}"


class _Pace:
    """PAPERWIRE_SMTP_RATE across the sender's threads: mails start at least 1/rate seconds apart."""

    def __init__(self, per_second: float):
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.lock = threading.Lock()
        self.next = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.interval
        if start > now:
            time.sleep(start - now)
