#!/usr/bin/env bash
# Whole-process benchmark of `tunebench run` / `resume` against the yardstick stub
# (an OpenAI-compatible server with a fixed 50 ms service time, ../shared/bench).
#
#   bench/run.sh                 # all scenarios, median of REPEAT=3 runs where cheap
#   REPEAT=1 bench/run.sh
#
# Environment: TUNEBENCH_BENCH_DIR (default ../shared/bench next to the repo), TUNEBENCH_BIN
# (default: builds `cargo build --release -p tunebench-cli`).
#
# Scenarios (two arms x 2,000 cases = 4,000 calls):
#   1. concurrency 32: wall time vs the physical limit 4000 x 0.05 s / 32 = 6.25 s (target
#      1.15x), peak RSS (target <= 100 MB);
#   2. concurrency 256: wall time (target <= 2 s);
#   3. faults (--fail-rate 0.05 --fail-status mix --slow-rate 0.01): every case answered or
#      recorded as an error; the stub's duplicate_ok == 0 and keys_ok == answered cases;
#   4. SIGKILL halfway then `resume`: completes, no case answered before the kill is sent
#      again (the stub's keys_seen during the resume == the cases that had no result),
#      PRAGMA integrity_check ok.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REPEAT="${REPEAT:-3}"
BENCH_DIR="${TUNEBENCH_BENCH_DIR:-$ROOT/../shared/bench}"
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

start_stub() { # extra stub flags...
  rm -f "$WORK/port"
  python3 "$BENCH_DIR/stub_server.py" --port 0 --port-file "$WORK/port" --latency-ms 50 \
    --max-concurrency 1024 --max-seconds 900 --quiet "$@" &
  STUB_PID=$!
  for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
  PORT="$(cat "$WORK/port")"
}
stop_stub() { kill "$STUB_PID" 2>/dev/null; wait "$STUB_PID" 2>/dev/null || true; STUB_PID=""; }
stats() { curl -s "http://127.0.0.1:$PORT/stats"; }
reset_stats() { curl -s -X POST "http://127.0.0.1:$PORT/stats/reset" >/dev/null; }
stat() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

# A fresh store with the 2,000 test cases and the 5 few-shot examples as train rows. The
# CLI's own `import` lands separately; this bench-only loader writes the rows directly.
make_store() { # dir
  "$BIN" --db "$1/db.sqlite3" datasets >/dev/null
  python3 - "$1/db.sqlite3" "$BENCH_DIR/data" <<'PY'
import json, sqlite3, sys
db, data = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
cases = [json.loads(l) for l in open(f"{data}/cases.jsonl") if l.strip()]
shots = json.load(open(f"{data}/fewshot.json"))
cur = con.execute("INSERT INTO dataset (name, source_file, source_format, imported_at, row_count) "
                  "VALUES ('bench', 'cases.jsonl', 'jsonl', '2026-01-01T00:00:00Z', ?)", (len(cases) + len(shots),))
ds = cur.lastrowid
con.executemany("INSERT INTO example (dataset_id, ordinal, input, expected, split) VALUES (?, ?, ?, ?, 'test')",
                [(ds, i, c["input"], c["expected"]) for i, c in enumerate(cases)])
con.executemany("INSERT INTO example (dataset_id, ordinal, external_id, input, expected, split) VALUES (?, ?, ?, ?, ?, 'train')",
                [(ds, len(cases) + i, f"fs{i + 1}", s["input"], s["expected"]) for i, s in enumerate(shots)])
con.commit()
PY
  mkdir -p "$1/docs"
  cp "$BENCH_DIR/data/rag_context.txt" "$1/docs/"
}

write_experiment() { # dir concurrency timeout_s
  local labels
  labels="$(python3 -c "import sys; print(', '.join('\"%s\"' % l.strip() for l in open(sys.argv[1]) if l.strip()))" "$BENCH_DIR/data/labels.txt")"
  cat > "$1/experiment.toml" <<TOML
name = "bench"
dataset = "bench"
split = "test"
primary_metric = "accuracy"
labels = [$labels]

[[providers]]
name = "stub"
kind = "openai_compatible"
base_url = "http://127.0.0.1:$PORT/v1"
max_concurrency = $2
timeout_s = $3
max_attempts = 6
backoff_initial_ms = 200

[[arms]]
name = "prompting"
kind = "prompt"
provider = "stub"
model = "base-model"
system = "You route customer support tickets. Answer with exactly one label from: $(echo "$labels" | tr -d '"')."
template = "{{context}}\n\nInput: {{input}}"
few_shot = { k = 5, strategy = "fixed", ids = ["fs1", "fs2", "fs3", "fs4", "fs5"] }
context = { dir = "docs", top_k = 10 }
max_tokens = 16
temperature = 0
price = { input = 0.40, cached_input = 0.10, output = 1.60 }

[[arms]]
name = "fine-tuned"
kind = "fine_tuned"
provider = "stub"
model = "ft-model"
template = "Input: {{input}}"
max_tokens = 16
temperature = 0
price = { input = 0.80, output = 3.20 }
TOML
}

timed_run() { # dir concurrency -> prints "wall_s rss_kb cpu_s"
  if ! /usr/bin/time -f "%e %M %U %S" -o "$1/time" "$BIN" --db "$1/db.sqlite3" run "$1/experiment.toml" --yes \
    --concurrency "$2" --json >"$1/out.json" 2>"$1/err.log"; then
    echo "tunebench run failed:" >&2; cat "$1/err.log" >&2; return 1
  fi
  tail -1 "$1/time" | awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }'
}

# What the stub's bundled minimal client achieves now: the floor this machine allows.
floor() { # concurrency
  python3 "$BENCH_DIR/loadcheck.py" --port "$PORT" -n 4000 -c "$1" --latency-ms 50 2>/dev/null |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("%s s, %.2fx the limit" % (d["wall_s"], d["ratio"]))'
}

median() { python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }

answered() { sqlite3 "$1/db.sqlite3" "SELECT COUNT(*) FROM result WHERE error_class IS NULL"; }
results() { sqlite3 "$1/db.sqlite3" "SELECT COUNT(*) FROM result"; }

clean_scenario() { # concurrency limit_s
  local c="$1" walls=() rsss=()
  for i in $(seq "$REPEAT"); do
    local d="$WORK/c$c-$i"; mkdir -p "$d"
    make_store "$d"; write_experiment "$d" "$c" 30
    reset_stats
    read -r wall rss cpu < <(timed_run "$d" "$c")
    local s; s="$(stats)"
    echo "  concurrency $c #$i: wall ${wall} s, peak RSS $((rss / 1024)) MB, CPU ${cpu} s, results $(results "$d"), keys_ok $(echo "$s" | stat keys_ok), duplicate_ok $(echo "$s" | stat duplicate_ok)"
    walls+=("$wall"); rsss+=("$rss")
  done
  local mw mr; mw="$(median "${walls[@]}")"; mr="$(median "${rsss[@]}")"
  python3 -c "import sys; w,l,r=float(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print(f'  => concurrency $c: median wall {w:.2f} s = {w/l:.2f}x the {l} s limit, median peak RSS {r/1024:.1f} MB')" "$mw" "$2" "$mr"
}

echo "tunebench run benchmark: $("$BIN" --version), stub at $BENCH_DIR, median of $REPEAT"
start_stub
echo "[1] two arms x 2,000 cases, 50 ms stub, concurrency 32 (limit 6.25 s, target <= 7.19 s, <= 100 MB)"
clean_scenario 32 6.25
echo "  (the stub's own minimal load client, same machine, same moment: $(floor 32))"
echo "[2] concurrency 256 (limit 0.78 s, target <= 2 s)"
clean_scenario 256 0.78125
echo "  (the stub's own minimal load client, same machine, same moment: $(floor 256))"
stop_stub

echo "[3] faults: --fail-rate 0.05 --fail-status mix --slow-rate 0.01 (slow = 30 s, timeout 5 s)"
start_stub --fail-rate 0.05 --fail-status mix --slow-rate 0.01
d="$WORK/faults"; mkdir -p "$d"; make_store "$d"; write_experiment "$d" 32 5
read -r wall rss cpu < <(timed_run "$d" 32)
s="$(stats)"
ans="$(answered "$d")"; tot="$(results "$d")"
echo "  wall ${wall} s, peak RSS $((rss / 1024)) MB, CPU ${cpu} s; results $tot / 4000 (answered $ans, errors $((tot - ans)))"
echo "  stub: chat_received $(echo "$s" | stat chat_received), err_429 $(echo "$s" | stat err_429), err_500 $(echo "$s" | stat err_500), keys_ok $(echo "$s" | stat keys_ok), duplicate_ok $(echo "$s" | stat duplicate_ok)"
[ "$tot" = 4000 ] && [ "$(echo "$s" | stat duplicate_ok)" = 0 ] && [ "$(echo "$s" | stat keys_ok)" = "$ans" ] \
  && echo "  => OK: every case answered or errored, duplicate_ok 0, keys_ok == answered" \
  || echo "  => FAILED"
stop_stub

echo "[4] SIGKILL halfway, then resume"
start_stub
d="$WORK/kill"; mkdir -p "$d"; make_store "$d"; write_experiment "$d" 32 30
"$BIN" --db "$d/db.sqlite3" run "$d/experiment.toml" --yes --concurrency 32 --json >"$d/out.json" 2>"$d/err.log" &
RUN_PID=$!
until [ "$(results "$d" 2>/dev/null || echo 0)" -ge 2000 ]; do sleep 0.05; done
kill -9 "$RUN_PID"; wait "$RUN_PID" 2>/dev/null || true
before="$(results "$d")"
s="$(stats)"
echo "  killed with $before results saved (stub had answered $(echo "$s" | stat chat_ok); the rest were in flight)"
echo "  status shown before resume: $(sqlite3 "$d/db.sqlite3" "SELECT status FROM run") in the store, lock free => interrupted"
reset_stats
/usr/bin/time -f "%e %M" -o "$d/time" "$BIN" --db "$d/db.sqlite3" resume 1 --json >"$d/resume.json" 2>"$d/resume.log"
s="$(stats)"
after="$(results "$d")"
seen="$(echo "$s" | stat keys_seen)"
integrity="$(sqlite3 "$d/db.sqlite3" "PRAGMA integrity_check")"
status="$(sqlite3 "$d/db.sqlite3" "SELECT status FROM run WHERE id = 1")"
echo "  $(head -1 "$d/resume.log")"
echo "  resume: wall $(cut -d' ' -f1 "$d/time") s; results $after / 4000, status $status; stub during resume: keys_seen $seen (cases without a result: $((4000 - before))), keys_ok $(echo "$s" | stat keys_ok), duplicate_ok $(echo "$s" | stat duplicate_ok); integrity_check: $integrity"
[ "$after" = 4000 ] && [ "$seen" = "$((4000 - before))" ] && [ "$integrity" = ok ] && [ "$status" = completed ] \
  && echo "  => OK: completed, no case answered before the kill was requested again, integrity ok" \
  || echo "  => FAILED"
stop_stub
