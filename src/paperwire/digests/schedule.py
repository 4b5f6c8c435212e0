"""The digest schedule inside `paperwire serve`: a tick thread that sends whatever digests are due.

Every PAPERWIRE_DIGEST_INTERVAL seconds it runs the same DigestSender as `paperwire digest send`, which
takes the digest job lock: with several `serve` processes (or hosts) and cron runs on one database,
one sends and the others find the lock taken and skip that tick. The ledger says what is done, so a
restart neither repeats nor skips a digest.
"""

from __future__ import annotations

import logging

from paperwire.digests.send import DigestSender
from paperwire.jobs import Ticker

log = logging.getLogger("paperwire.digests")


class DigestSchedule(Ticker):
    failure = "sending digests failed"

    def __init__(self, sender: DigestSender, interval: float):
        super().__init__(interval, "paperwire-digests", log)
        self.sender = sender

    def tick(self) -> None:
        report = self.sender.run(wait=False, stop=self._stop)
        if report.busy:
            log.debug("digests: another process is sending")
        elif report.planned or report.sent or report.failed or report.recovered:
            log.info("digests: %s", report.summary())
        if report.error:
            log.error("digests: %s", report.error)


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
