#!/usr/bin/env bash
# Whole-process benchmark of `tunebench search` against the yardstick stub (../shared/bench,
# fixed 50 ms service time; base-model answers 10 % wrong, ft-model 3 %, other models 5 %):
# 12 candidates (3 models × 2 system prompts × 2 temperatures) over 300 validation cases
# carved from the train half of the 2,000-case set, with and without successive halving,
# the response cache off so every call reaches the stub. Prints wall time, calls the stub
# received and the chosen candidate for each.
#
#   bench/search.sh
#
# Environment: TUNEBENCH_BENCH_DIR (default ../shared/bench next to the repo), TUNEBENCH_BIN
# (default: builds `cargo build --release -p tunebench-cli`), CONCURRENCY (default 32),
# CHART_DIR (when set, the chart of the candidates of each search is written there as PNG).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_DIR="${TUNEBENCH_BENCH_DIR:-$ROOT/../shared/bench}"
CONCURRENCY="${CONCURRENCY:-32}"
[ -f "$BENCH_DIR/stub_server.py" ] || { echo "no $BENCH_DIR/stub_server.py; set TUNEBENCH_BENCH_DIR" >&2; exit 2; }
if [ -z "${TUNEBENCH_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --release -q -p tunebench-cli)
  TUNEBENCH_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/tunebench"
fi
BIN="$TUNEBENCH_BIN"
WORK="$(mktemp -d)"
STUB_PID=""
cleanup() { [ -n "$STUB_PID" ] && kill "$STUB_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

python3 "$BENCH_DIR/stub_server.py" --port 0 --port-file "$WORK/port" --latency-ms 50 \
  --max-concurrency 1024 --max-seconds 900 --quiet &
STUB_PID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
PORT="$(cat "$WORK/port")"
stat() { curl -s "http://127.0.0.1:$PORT/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

DB="$WORK/db.sqlite3"
"$BIN" --db "$DB" import "$BENCH_DIR/data/cases.csv" --name bench --json >/dev/null
"$BIN" --db "$DB" split bench --test-fraction 0.5 --seed 7 --json >/dev/null
labels="$(python3 -c "import sys; print(', '.join('\"%s\"' % l.strip() for l in open(sys.argv[1]) if l.strip()))" "$BENCH_DIR/data/labels.txt")"
cat > "$WORK/experiment.toml" <<TOML
name = "bench-search"
dataset = "bench"
primary_metric = "accuracy"
labels = [$labels]

[[providers]]
name = "stub"
kind = "openai_compatible"
base_url = "http://127.0.0.1:$PORT/v1"
max_concurrency = $CONCURRENCY
timeout_s = 30
max_attempts = 6
backoff_initial_ms = 200

[[arms]]
name = "prompting"
provider = "stub"
model = "base-model"
system = "Answer with one label."
template = "Input: {{input}}"
max_tokens = 16
temperature = 0
price = { input = 0.40, output = 1.60 }

[[arms]]
name = "fine-tuned"
kind = "fine_tuned"
provider = "stub"
model = "ft-model"
template = "Input: {{input}}"
max_tokens = 16
price = { input = 0.80, output = 3.20 }
TOML

grid() { # halving true|false
  cat > "$WORK/grid-$1.toml" <<TOML
system = ["Answer with one label.", "You route customer support tickets. Answer with exactly one label from: $(echo "$labels" | tr -d '"')."]
models = ["base-model", "ft-model", "other-model"]
temperature = [0.0, 0.3]
halving = $1
[validation]
rows = 300
seed = 7
TOML
}

for halving in false true; do
  grid "$halving"
  curl -s -X POST "http://127.0.0.1:$PORT/stats/reset" >/dev/null
  start=$(date +%s.%N)
  "$BIN" --db "$DB" search "$WORK/experiment.toml" --grid "$WORK/grid-$halving.toml" --yes --no-cache \
    ${CHART_DIR:+--chart "$CHART_DIR/search-halving-$halving.png"} --json >"$WORK/out-$halving.json" 2>"$WORK/err-$halving.log" || { cat "$WORK/err-$halving.log" >&2; exit 1; }
  wall=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$start" "$(date +%s.%N)")
  python3 - "$WORK/out-$halving.json" "$halving" "$wall" "$(stat chat_received)" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
c = o["chosen"]["score"]
print(f"halving={sys.argv[2]}: {o['calls_made']} calls ({sys.argv[4]} received by the stub) of "
      f"{o['calls_full']}, {sys.argv[3]} s wall; chose {o['chosen']['label']} "
      f"({c['mean']:.3f} on {c['n']} cases); spent ${o['spend_usd']:.4f}")
PY
done
