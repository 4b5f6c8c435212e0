"""The digest schedule inside a real `paperwire serve`: a subscriber's digest goes out at their time."""

import time
from datetime import UTC, datetime

from paperwire.ingest.formats import export_record
from paperwire.papers import arxiv_links, make_paper
from tests.support.smtp import SmtpInbox


def _paper(pid, day):
    about = {
        "abstract": "About learning.",
        "authors": ["A"],
        "categories": ["cs.LG"],
        "source": "arxiv-listing",
    }
    return make_paper(id=pid, title=f"Paper {pid}", announced=day, links=arxiv_links(pid), **about)


def test_serve_sends_the_due_digest_once(spawn_server):
    today = datetime.now(UTC).date()
    records = [export_record(_paper(pid, today)) for pid in ("2611.00001", "2611.00002")]
    with SmtpInbox() as inbox:
        server = spawn_server(
            records,
            PAPERWIRE_SMTP_URL=inbox.url,
            PAPERWIRE_SECRET_KEY="schedule-test-secret-" + "x" * 32,
            PAPERWIRE_DIGEST_INTERVAL="0.3",
        )
        # Added while serve runs: its next tick finds the digest due (00:00 UTC has passed today).
        added = server.cli("subscribers", "add", "ada@x.org", "--confirmed", "--time", "00:00",
                           "--category", "cs.LG")  # fmt: skip
        assert added.returncode == 0, added.stderr
        (mail,) = inbox.wait_for(1, timeout=30)
        time.sleep(1.5)  # several more ticks: none sends it again
        assert len(inbox.messages) == 1
        assert mail["To"] == "ada@x.org" and "Paper 2611.00002" in mail.get_body(("plain",)).get_content()
        status = server.cli("digest", "status").stdout
    assert status.startswith("deliveries: 1 sent"), status
