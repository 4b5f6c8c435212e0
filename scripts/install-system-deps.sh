#!/usr/bin/env bash
# Installs the programs the test suite runs for real, as Debian packages: chromium (/usr/bin/chromium)
# for the browser tests. Silent and quick when they are already there. Called by scripts/test.sh.
set -euo pipefail

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
[ ${#packages[@]} -eq 0 ] && exit 0

need="error: the tests need these Debian packages: ${packages[*]}"
if ! command -v apt-get >/dev/null; then
    echo "$need (this system has no apt-get: install their equivalents)" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "$need; as root: apt-get install --no-install-recommends ${packages[*]}" >&2
    exit 1
fi

echo "installing ${packages[*]} for the tests (apt-get, about 30 s)..." >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt's output is shown only when it fails
if ! { "${as_root[@]}" apt-get update -q && "${as_root[@]}" apt-get install -y -q --no-install-recommends \
    "${packages[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "error: apt-get could not install ${packages[*]} (its output is above)" >&2
    exit 1
fi
[ -x /usr/bin/chromium ] || { echo "error: chromium is installed but /usr/bin/chromium is missing" >&2; exit 1; }
