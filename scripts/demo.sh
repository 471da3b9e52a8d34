#!/usr/bin/env bash
# Sets up ctxgen, builds the example map and serves it at http://127.0.0.1:8000/ (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/ctxgen build example-map
exec .venv/bin/ctxgen serve example-map "$@"
