#!/usr/bin/env bash
# Builds the `tunebench` command line in release and puts it where the .deb bundle picks
# it up (tauri.conf.json: bundle.linux.deb.files), so the installer ships both the app and
# the CLI. Run by `tauri build` before bundling (build.beforeBundleCommand).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --release --locked -p tunebench-cli
mkdir -p gen/cli
cp "${CARGO_TARGET_DIR:-$root/target}/release/tunebench" gen/cli/tunebench
