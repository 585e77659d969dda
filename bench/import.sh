#!/usr/bin/env bash
# Import benchmark (issue 3): generates a 1,000,000-row JSONL file (~300 MB) in a temp
# dir, imports it with `tunebench import` (release build), and, in the same run, imports
# the same rows as CSV with sqlite3's own `.import` into a table of the same shape.
# Prints both wall times, their ratio and tunebench's peak RSS. Targets: ratio <= 1.5,
# peak RSS <= 200 MB. Then, for the record, times `split` and `export` of those rows and
# the row browser's SQL (store/example.rs) on them.
#
# Usage: bench/import.sh [ROWS]        (needs: cargo, python3, sqlite3, /usr/bin/time)
set -euo pipefail

ROWS="${1:-1000000}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

cargo build --release -q -p tunebench-cli --manifest-path "$ROOT/Cargo.toml"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/tunebench"

python3 - "$ROWS" "$TMP" <<'PY'
import csv, json, random, sys
rows, tmp = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)
words = ("account billing charge refund shipping delivery package late broken screen "
         "password login reset email invoice order cancel upgrade plan support agent "
         "please thanks hello issue problem error again today week month").split()
labels = ["billing", "shipping", "account", "technical", "other"]
# The CSV holds the same rows as stored by tunebench: every column of `example`.
with open(f"{tmp}/rows.jsonl", "w") as j, open(f"{tmp}/rows.csv", "w", newline="") as c:
    w = csv.writer(c)
    for i in range(rows):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(25, 50)))
        row = {"id": f"t{i:07d}", "input": text, "expected": rng.choice(labels),
               "channel": rng.choice(["email", "chat", "phone"])}
        j.write(json.dumps(row) + "\n")
        meta = json.dumps({"channel": row["channel"]}, separators=(",", ":"))
        w.writerow([i + 1, 1, i, row["id"], row["input"], row["expected"], meta, "unassigned"])
PY
echo "rows: $ROWS  jsonl: $(du -m "$TMP/rows.jsonl" | cut -f1) MB  csv: $(du -m "$TMP/rows.csv" | cut -f1) MB"

# sqlite3 .import into a table of the same shape as `example` (same columns, constraints
# and indexes), with the same journal settings tunebench uses.
cat > "$TMP/sqlite.sql" <<'SQL'
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE example (
    id          INTEGER PRIMARY KEY,
    dataset_id  INTEGER NOT NULL,
    ordinal     INTEGER NOT NULL,
    external_id TEXT,
    input       TEXT    NOT NULL,
    expected    TEXT    NOT NULL DEFAULT '',
    metadata    TEXT    NOT NULL DEFAULT '{}',
    split       TEXT    NOT NULL DEFAULT 'unassigned' CHECK (split IN ('train', 'test', 'unassigned')),
    UNIQUE (dataset_id, ordinal)
);
CREATE INDEX example_dataset_split ON example(dataset_id, split);
.import --csv rows.csv example
SQL

cd "$TMP"
t0=$(date +%s.%N)
sqlite3 sq.db < sqlite.sql > /dev/null
t1=$(date +%s.%N)
/usr/bin/time -v -o time.txt "$BIN" --db tb.db import rows.jsonl --json > out.json
t2=$(date +%s.%N)

SQ=$(python3 -c "print(f'{$t1-$t0:.2f}')")
TB=$(python3 -c "print(f'{$t2-$t1:.2f}')")
RSS=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' time.txt)
echo "sqlite3 .import (CSV):     ${SQ} s   rows: $(sqlite3 sq.db 'SELECT COUNT(*) FROM example')"
echo "tunebench import (JSONL):  ${TB} s   rows: $(python3 -c "import json;print(json.load(open('out.json'))['rows'])")"
echo "ratio: $(python3 -c "print(f'{($t2-$t1)/($t1-$t0):.2f}')")x (target <= 1.5)"
echo "tunebench peak RSS: ${RSS} MB (target <= 200)"

# Splitting and exporting the million rows (wall time; no target, for the record).
t3=$(date +%s.%N)
"$BIN" --db tb.db split rows --test-fraction 0.2 --seed 1 --json > split.json
t4=$(date +%s.%N)
"$BIN" --db tb.db export rows --split train --format openai-chat --out train.jsonl --json > export.json
t5=$(date +%s.%N)
echo "tunebench split (stratified, + leakage check): $(python3 -c "print(f'{$t4-$t3:.2f}')") s"
echo "tunebench export train as OpenAI chat:         $(python3 -c "print(f'{$t5-$t4:.2f}')") s"

# The row browser's queries (the SQL of store/example.rs) on the imported million rows.
echo "row browser on $ROWS rows (sqlite3 .timer, real seconds):"
sqlite3 tb.db <<'SQL' | grep -E '^(Run Time|[0-9])' | paste - - | awk '{printf "  %-34s %s s (result %s)\n", label[NR], $5, $1} BEGIN {
  label[1]="count all (UI uses row_count)"; label[2]="page offset 0"; label[3]="page offset 900000";
  label[4]="search count (capped 10000)"; label[5]="search page";
  label[6]="search page, no match (full scan)"; label[7]="count test split" }'
.timer on
SELECT COUNT(*) FROM (SELECT 1 FROM example WHERE dataset_id = 1 LIMIT 4294967295);
SELECT COUNT(*) FROM (SELECT id FROM example WHERE dataset_id = 1 ORDER BY ordinal LIMIT 50 OFFSET 0);
SELECT COUNT(*) FROM (SELECT id FROM example WHERE dataset_id = 1 ORDER BY ordinal LIMIT 50 OFFSET 900000);
SELECT COUNT(*) FROM (SELECT 1 FROM example WHERE dataset_id = 1 AND (input LIKE '%refund please%' ESCAPE '\' OR expected LIKE '%refund please%' ESCAPE '\') LIMIT 10000);
SELECT COUNT(*) FROM (SELECT id FROM example WHERE dataset_id = 1 AND (input LIKE '%refund please%' ESCAPE '\' OR expected LIKE '%refund please%' ESCAPE '\') ORDER BY ordinal LIMIT 50 OFFSET 0);
SELECT COUNT(*) FROM (SELECT id FROM example WHERE dataset_id = 1 AND (input LIKE '%no such words%' ESCAPE '\' OR expected LIKE '%no such words%' ESCAPE '\') ORDER BY ordinal LIMIT 50 OFFSET 0);
SELECT COUNT(*) FROM (SELECT 1 FROM example WHERE dataset_id = 1 AND split = 'test' LIMIT 4294967295);
SQL
