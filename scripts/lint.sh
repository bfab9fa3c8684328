#!/usr/bin/env bash
# Static checks: the import layers (import-linter), ruff, and the type checker (mypy).
# Runs all three and exits non-zero if any failed.
set -u
cd "$(dirname "$0")/.."
status=0
run() {
    echo "== $*"
    "$@" || status=1
}
run uv run --quiet lint-imports
run uv run --quiet ruff check .
run uv run --quiet mypy
exit "$status"
