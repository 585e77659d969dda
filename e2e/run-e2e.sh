#!/usr/bin/env bash
# End-to-end tests of the real app window: Xvfb + a private D-Bus + tauri-driver (which
# starts WebKitWebDriver and the app), driven by WebdriverIO from node's test runner.
# Usage: e2e/run-e2e.sh APP_BINARY CLI_BINARY
# The app must be built with the custom protocol (tauri build --debug --no-bundle).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
APP_BIN=$(realpath "$1")
CLI_BIN=$(realpath "$2")
[ -x "$APP_BIN" ] || { echo "e2e: app binary $APP_BIN is missing" >&2; exit 1; }
[ -x "$CLI_BIN" ] || { echo "e2e: CLI binary $CLI_BIN is missing" >&2; exit 1; }
command -v tauri-driver >/dev/null || { echo "e2e: tauri-driver not on PATH (cargo install tauri-driver@2.1.0 --locked)" >&2; exit 1; }

work=$(mktemp -d)
mkdir -p "$here/out"
# A display number nobody uses.
disp=99
while [ -e "/tmp/.X11-unix/X$disp" ] || [ -e "/tmp/.X$disp-lock" ]; do disp=$((disp + 1)); done
export DISPLAY=":$disp"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  sleep 0.3
  [ -n "${DBUS_PID:-}" ] && kill "$DBUS_PID" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

setsid Xvfb "$DISPLAY" -screen 0 1600x900x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
xdpyinfo >/dev/null 2>&1 || { echo "e2e: Xvfb did not start" >&2; cat "$work/xvfb.log" >&2; exit 1; }

eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 2>/dev/null |
  { read -r a; read -r p; echo "export DBUS_SESSION_BUS_ADDRESS=$a; DBUS_PID=$p"; })"

# llama.cpp's tools and the default local model stay where scripts/local-llm.sh cached
# them (the app's own cache directory moves to the work directory below).
export TUNEBENCH_CACHE="${TUNEBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tunebench}"
# Each run gets its own data directory, so the default store location is exercised and
# nothing leaks between runs.
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache"
export LIBGL_ALWAYS_SOFTWARE=1 NO_AT_BRIDGE=1 GTK_A11Y=none
# The debug build's save dialog answers a file in the work directory (see commands/files.rs).
export TUNEBENCH_E2E_SAVE_DIR="$work"
unset TUNEBENCH_DB WEBKIT_DISABLE_COMPOSITING_MODE

port=4444
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 2)); done
setsid tauri-driver --port "$port" --native-port $((port + 1)) >"$work/driver.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

export APP_BIN CLI_BIN DRIVER_PORT="$port" E2E_OUT="$here/out" E2E_WORK="$work"
export TUNEBENCH_E2E_DB="$XDG_DATA_HOME/tunebench/tunebench.sqlite3"
status=0
(cd "$here" && node --test --test-concurrency=1 ${E2E_TESTS:-tests/}) || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- tauri-driver log ---" >&2
  tail -n 40 "$work/driver.log" >&2 || true
fi
exit "$status"
