"""Where things are: the test data, the docs, ../shared, and the installed `paperwire` script."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
DATA = TESTS / "data"
DOCS = TESTS.parent / "docs"
SHARED = TESTS.parent.parent / "shared"
PAPERWIRE_BIN = Path(sys.executable).parent / "paperwire"


def shared_path(*parts: str) -> Path:
    """A path in ../shared, or a skip with a clear message when the evaluation data is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs the evaluation data at {path} (../shared is absent on this machine)")
    return path
