#!/usr/bin/env bash
# Runs the hub on SQLite (no other server needed). Extra arguments go to `paperwire serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-venv.sh
exec .venv/bin/paperwire serve "$@"
