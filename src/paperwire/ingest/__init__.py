"""Ingest: getting papers into the store (bulk files now; arXiv and Hugging Face sources later)."""
