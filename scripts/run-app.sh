#!/usr/bin/env bash
# Installs what is missing, builds Tunebench and opens its window.
# The store defaults to a SQLite file in the OS data directory
# (~/.local/share/tunebench/tunebench.sqlite3 on Linux); set TUNEBENCH_DB to use another.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
export TAURI_FRONTEND_PATH=ui
ui/node_modules/.bin/tauri build --debug --no-bundle
exec "${CARGO_TARGET_DIR:-$root/target}/debug/tunebench-app" "$@"
