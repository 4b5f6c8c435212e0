"""Records and files in the formats Paperwire imports."""

from __future__ import annotations

import gzip
import io

# One record in the arxiv-listing format (the shape of shared/data/arxiv-cs).
LISTING = {
    "id": "2503.11677",
    "title": "Simulation of prosthetic vision",
    "abstract": "Objective.\nPatients implanted with PRIMA.",
    "authors": ["Jungyeon Park", "Daniel Palanker"],
    "categories": ["cs.HC", "cs.CV"],
    "primary_category": "cs.HC",
    "first_listed_date": "2025-03-18",
    "listed_dates": ["2025-03-18"],
    "comment": "12 pages",
}


def gzip_in_segments(lines: list[bytes]) -> tuple[bytes, list[int]]:
    """Gzip with a sync flush after each line; returns the bytes and where each line's data ends in them."""
    buf = io.BytesIO()
    ends = []
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        for line in lines:
            gz.write(line)
            gz.flush()
            ends.append(buf.tell())
    return buf.getvalue(), ends
