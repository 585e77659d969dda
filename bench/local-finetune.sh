#!/usr/bin/env bash
# The whole empirical test offline, measured: on the built-in SpamAssassin sample, a
# prompting arm (SmolLM2-135M-Instruct + few-shot examples from train) against the same
# model fine-tuned on this machine with llama.cpp (one epoch over a seeded subset of the
# train split), both served locally by Tunebench, compared on the same held-out cases.
# Prints the report (accuracy with intervals, the verdict), the fine-tune's wall time,
# training tokens per second and the trainer's peak memory (/usr/bin/time -v of the whole
# `finetune local`).
#
#   bench/local-finetune.sh                      # defaults below
#   N_TRAIN=150 TEST_FRACTION=0.1 MAX_CHARS=0 CONTEXT=512 bench/local-finetune.sh
#
# Why these defaults: at full size (1,838 train e-mails of up to several thousand tokens)
# training SmolLM2-135M in F32 takes hours on 2 cores (7–10 s per 256-token window on idle
# cores, several times that on busy ones). The defaults are sized to finish in about
# 25 minutes on a 2-core machine shared with other work: each e-mail is cut to its first
# MAX_CHARS characters (the subject and the first lines, ~70 tokens), the fine-tune sees
# 32 seeded train rows (~3,700 tokens, ~27 half-overlapping windows of 256 tokens, one
# epoch), and 3 % of the 2,250 rows (~68 cases) are held out. Such a small fine-tune says
# what a laptop can do in minutes, not what fine-tuning this model can reach.
#
# Environment: N_TRAIN (train rows fine-tuned on, default 32), TEST_FRACTION (held-out share
# of the 2,250 rows, default 0.03 ≈ 68 cases), MAX_CHARS (characters of each e-mail kept,
# default 240; 0 keeps them whole), CONTEXT (tokens per window, default 256), EPOCHS (1),
# LR (5e-5), FEW_SHOT (examples in the prompting arm, 2), SEED (7), OUT (a folder kept for
# inspection, default a temporary one), TUNEBENCH_BIN (default: the debug build of the CLI,
# built if needed).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N_TRAIN="${N_TRAIN:-32}"
TEST_FRACTION="${TEST_FRACTION:-0.03}"
MAX_CHARS="${MAX_CHARS:-240}"
CONTEXT="${CONTEXT:-256}"
EPOCHS="${EPOCHS:-1}"
LR="${LR:-5e-5}"
FEW_SHOT="${FEW_SHOT:-2}"
SEED="${SEED:-7}"
SAMPLE="$ROOT/crates/tunebench-core/assets/sample/spamassassin_spam_ham.csv"

[ -x /usr/bin/time ] || { echo "bench/local-finetune.sh needs /usr/bin/time (GNU time) for peak memory" >&2; exit 2; }
model="$("$ROOT/scripts/local-llm.sh" ensure | sed -n 's/^MODEL=//p')"
if [ -z "${TUNEBENCH_BIN:-}" ]; then
  (cd "$ROOT" && cargo build -q -p tunebench-cli)
  TUNEBENCH_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/tunebench"
fi
if [ -n "${OUT:-}" ]; then
  mkdir -p "$OUT"
  work="$OUT"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
db="$work/bench.sqlite3"
tb() { "$TUNEBENCH_BIN" --db "$db" "$@"; }

data="$SAMPLE"
if [ "$MAX_CHARS" -gt 0 ]; then
  # The subject and the first lines of each e-mail (the sample's e-mails begin with
  # their Subject: line), every other column as it is.
  data="$work/spam-first-${MAX_CHARS}-chars.csv"
  python3 - "$SAMPLE" "$data" "$MAX_CHARS" <<'PY'
import csv, sys
csv.field_size_limit(1 << 30)
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, newline="", encoding="utf-8") as f, open(dst, "w", newline="", encoding="utf-8") as g:
    rows = csv.DictReader(f)
    out = csv.DictWriter(g, fieldnames=rows.fieldnames)
    out.writeheader()
    for row in rows:
        row["input"] = row["input"][:n].rstrip()
        out.writerow(row)
PY
fi
tb import "$data" --name spam >/dev/null
tb split spam --test-fraction "$TEST_FRACTION" --seed "$SEED" >/dev/null
# Cut to their beginning, some train e-mails repeat a held-out one (same subject line):
# they leave train, or the fine-tune would refuse to train on the test set.
tb leakage spam --remove >&2

arm() { # name kind model [few-shot]
  cat <<EOF

[[arms]]
name = "$1"
kind = "$2"
provider = "laptop"
model = "$3"
system = "Classify the e-mail as spam or ham. Answer with one word: spam or ham."
template = "E-mail: {{input}}"
max_tokens = 4
temperature = 0
${4:-}
EOF
}
head_toml() {
  cat <<EOF
name = "offline spam"
dataset = "spam"
split = "test"
primary_metric = "accuracy"
labels = ["spam", "ham"]

[[providers]]
name = "laptop"
kind = "local"
max_concurrency = 2
timeout_s = 600
EOF
}
few="few_shot = { k = $FEW_SHOT, strategy = \"random\", seed = $SEED }"
{ head_toml; arm prompting prompt "$model" "$few"; } >"$work/prompting.toml"

echo "== the prompting arm's first run (creates the arm whose prompt the fine-tune renders)" >&2
tb run "$work/prompting.toml" --yes >/dev/null

echo "== local fine-tune: $N_TRAIN train rows, $EPOCHS epoch(s), context $CONTEXT, lr $LR" >&2
/usr/bin/time -v -o "$work/finetune.time" \
  "$TUNEBENCH_BIN" --db "$db" --json finetune local --model "$model" --dataset spam \
  --arm prompting --max-examples "$N_TRAIN" --epochs "$EPOCHS" --context "$CONTEXT" \
  --learning-rate "$LR" --seed "$SEED" >"$work/finetune.json"
ft_model="$(jq -r .model "$work/finetune.json")"

{ head_toml; arm prompting prompt "$model" "$few"; arm fine-tuned fine_tuned "$ft_model"; } >"$work/both.toml"
echo "== both arms over the same held-out cases" >&2
# The prompting arm's answers come from the response cache of its first run.
run_id="$(tb --json run "$work/both.toml" --yes | jq -r .run_id)"

echo
echo "## Report (run $run_id)"
tb report "$run_id"
echo
echo "## Local fine-tune"
jq -r '"examples \(.examples), tokens \(.tokens), windows per epoch \(.windows), loss at the first window \(.first_loss), mean loss per epoch \(.epoch_losses)",
       "training (llama-finetune) \(.train_seconds|floor) s; whole job \(.wall_seconds|floor) s; training cost \(.training_cost_usd) USD at \(.machine_cost_per_hour) USD/h",
       "training speed \(.tokens * '"$EPOCHS"' / .train_seconds * 10 | floor / 10) tokens/s (tokens × epochs / training seconds)"' \
  "$work/finetune.json"
grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$work/finetune.time" | sed 's/^\s*//'
