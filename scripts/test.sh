#!/usr/bin/env bash
# The test command: installs everything the suite needs, then lints and runs the whole suite.
# Extra arguments go to pytest (e.g. scripts/test.sh -k store -x).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-deps.sh  # programs the suite runs for real (chromium for the browser tests)
scripts/setup-venv.sh test
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
exec .venv/bin/pytest "$@"
