#!/usr/bin/env bash
# Every test Tunebench has, in the order that fails fastest. CI runs exactly this.
# It installs what is missing first (scripts/install-deps.sh --test).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

scripts/install-deps.sh --test

step "rustfmt"
cargo fmt --all --check

step "UI build (the shell embeds ui/dist)"
(cd ui && npx vite build --logLevel warn)

step "workspace tests (also regenerates ui/src/bindings.ts)"
cargo test --workspace --locked

step "bindings are committed and current"
git diff --exit-code -- ui/src/bindings.ts ||
  { echo "ui/src/bindings.ts is stale: commit the regenerated file" >&2; exit 1; }

step "tunebench-core depends on neither tauri nor clap"
if cargo tree -p tunebench-core -e normal --prefix none | grep -E '^(tauri|clap)[ -]'; then
  echo "tunebench-core must stay GUI- and CLI-free" >&2
  exit 1
fi

step "TypeScript types, lint and UI unit tests"
(cd ui && npx tsc --noEmit && npx oxlint --deny-warnings src && npx vitest run)

step "clippy, all targets, warnings are errors"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "app binary for end-to-end tests"
TAURI_FRONTEND_PATH=ui ui/node_modules/.bin/tauri build --debug --no-bundle
cargo build -p tunebench-cli --locked

step "llama.cpp's tools and SmolLM2-135M (built once, then cached; the window's offline test needs them)"
scripts/local-llm.sh ensure >/dev/null

step "end-to-end: the real window under Xvfb, through WebDriver"
e2e/run-e2e.sh "$target/debug/tunebench-app" "$target/debug/tunebench"

step "a real local model server: llama.cpp + SmolLM2-135M"
port=18078
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
scripts/local-llm.sh start "$port" >/dev/null
trap 'scripts/local-llm.sh stop >/dev/null 2>&1 || true' EXIT
TUNEBENCH_LOCAL_LLM_URL="http://127.0.0.1:$port/v1" \
  cargo test -p tunebench-cli --test local_llm --locked -- --ignored

step "the whole test offline: a tiny local fine-tune with llama.cpp, then both local arms run and report"
model=$(scripts/local-llm.sh ensure | sed -n 's/^MODEL=//p')
TUNEBENCH_LOCAL_MODEL="$model" \
  cargo test -p tunebench-cli --test local_finetune --locked -- --ignored --nocapture
