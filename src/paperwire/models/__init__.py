"""Models every layer may import: plain dataclasses with no I/O, one module per noun. `storage/`
imports models (these and the top-level noun modules' dataclasses), never ingest, digests or search."""
