"""The library's pure parts: papers as BibTeX and CSL JSON, and imported files' entries matched to
papers (no I/O; storage is `store.library` and `store.collections`, the routes web/library.py and
web/collections.py)."""
