#!/usr/bin/env bash
# Sets up ctxgen and runs the whole test suite, browser tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
# The browser tests drive Debian's Chromium (no browser download at test time).
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
scripts/setup.sh
exec .venv/bin/python -m pytest -q "$@"
