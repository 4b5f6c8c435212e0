"""The digest schedule inside `paperwire serve`: a tick thread that sends whatever digests are due.

Every PAPERWIRE_DIGEST_INTERVAL seconds it runs the same DigestSender as `paperwire digest send`, which
takes the digest job lock: with several `serve` processes (or hosts) and cron runs on one database,
one sends and the others find the lock taken and skip that tick. The ledger says what is done, so a
restart neither repeats nor skips a digest.
"""

from __future__ import annotations

import logging
import threading

from paperwire.digests.send import DigestSender

log = logging.getLogger("paperwire.digests")


class DigestSchedule:
    def __init__(self, sender: DigestSender, interval: float):
        self.sender = sender
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="paperwire-digests", daemon=True)

    def tick(self) -> None:
        report = self.sender.run(wait=False, stop=self._stop)
        if report.busy:
            log.debug("digests: another process is sending")
        elif report.planned or report.sent or report.failed or report.recovered:
            log.info("digests: %s", report.summary())
        if report.error:
            log.error("digests: %s", report.error)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("sending digests failed")  # the schedule itself must keep ticking
            if self._stop.wait(self.interval):
                return

    def start(self) -> DigestSchedule:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)


def start_digest_schedule(settings, store, search, secret: str) -> DigestSchedule | None:
    """Start sending due digests in the background if PAPERWIRE_DIGEST_SCHEDULE is on; the caller stops it."""
    from paperwire.mail import Mailer

    if not settings.digest_schedule:
        return None
    if not settings.smtp_url:
        log.warning("digest schedule is off: set PAPERWIRE_SMTP_URL to send digests (see docs/digests.md)")
        return None
    sender = DigestSender(settings, store, Mailer.from_settings(settings), search, secret)
    log.info(
        "digest schedule: every %g s, each digest at its subscriber's delivery time", settings.digest_interval
    )
    return DigestSchedule(sender, settings.digest_interval).start()
