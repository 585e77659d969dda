#!/usr/bin/env bash
# Batch ingestion benchmark (issue 20): 2 arms x 20,000 cases through the OpenAI batch fake,
# which serves from a process of its own, in release. Runs the bench REPEAT times (default
# 3) and quotes the median of each figure:
#   - ingestion: results per second, from the first results file the fake starts sending to
#     the last row committed (target >= 20,000 results/s);
#   - memory: the peak resident size (VmHWM) of the process that submits and ingests, over
#     the submission and the ingestion (target <= 150 MB).
# The bench itself: crates/tunebench-core/tests/it/batch/bench.rs.
#
# Usage: bench/batch-ingest.sh        (needs: cargo, python3; Linux for /proc/self/status)
#        REPEAT=5 bench/batch-ingest.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REPEAT="${REPEAT:-3}"
cd "$ROOT"

# One build; each run then starts at once.
cargo test --release -q -p tunebench-core --test it --no-run

rates=()
peaks=()
for i in $(seq "$REPEAT"); do
  # The bench asserts the targets: a run that misses one fails, and its figures still count.
  out="$(cargo test --release -q -p tunebench-core --test it batch::bench -- --ignored --nocapture --test-threads 1 2>&1 || true)"
  line="$(grep -o 'batch-ingest-figures .*' <<<"$out" || true)"
  if [ -z "$line" ]; then
    echo "run $i gave no figures:" >&2
    echo "$out" >&2
    exit 1
  fi
  grep -o 'batch bench: .*' <<<"$out" | sed "s/^/  #$i /"
  grep -q 'test result: ok' <<<"$out" || grep -E "panicked|assert" <<<"$out" | sed "s/^/  #$i missed: /" || true
  rate="$(sed -E 's/.*results_per_s=([0-9.]+).*/\1/' <<<"$line")"
  peak="$(sed -E 's/.*peak_mb=([0-9.]+).*/\1/' <<<"$line")"
  rates+=("$rate")
  peaks+=("$peak")
done

python3 - "$REPEAT" "${rates[*]}" "${peaks[*]}" <<'PY'
import statistics, sys
n, rates, peaks = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
r, p = statistics.median(rates), statistics.median(peaks)
print(f"batch ingestion, 2 arms x 20,000 cases, median of {n}: {r:,.0f} results/s "
      f"(target >= 20,000: {'met' if r >= 20000 else 'NOT met'}), peak RSS {p:.1f} MB "
      f"(target <= 150 MB: {'met' if p <= 150 else 'NOT met'})")
print("  runs: " + ", ".join(f"{a:,.0f}/s {b:.1f} MB" for a, b in zip(rates, peaks)))
PY
