#!/usr/bin/env python3
"""Compute reference values for Tunebench's metric tests with the libraries people trust.

Run once by hand (not in CI) after changing the fixture inputs below:

    python3 -m venv /tmp/refenv
    /tmp/refenv/bin/pip install scikit-learn sacrebleu rouge-score statsmodels scipy
    /tmp/refenv/bin/python scripts/reference_metrics.py

It writes JSON files under crates/tunebench-core/tests/fixtures/reference/, each with the
versions of the libraries that produced it. The Rust tests compare against them.
"""

import json
import pathlib
import sys
from importlib.metadata import version

import numpy as np
import sacrebleu
from rouge_score import rouge_scorer
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support
from sklearn.utils.multiclass import unique_labels
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

OUT = pathlib.Path(__file__).resolve().parent.parent / "crates/tunebench-core/tests/fixtures/reference"

VERSIONS = {
    name: version(name)
    for name in ["scikit-learn", "sacrebleu", "rouge-score", "statsmodels", "scipy", "numpy"]
}
VERSIONS["python"] = sys.version.split()[0]

# Label sets. zero_division is left at scikit-learn's default ("warn"), which yields 0.
LABEL_CASES = [
    {
        "name": "three_classes_one_never_predicted",
        "y_true": ["billing", "billing", "shipping", "refund", "refund", "billing", "shipping"],
        "y_pred": ["billing", "shipping", "shipping", "billing", "billing", "billing", "shipping"],
    },
    {
        "name": "a_predicted_class_never_in_truth",
        "y_true": ["a", "b", "a", "b", "a"],
        "y_pred": ["a", "c", "c", "b", "a"],
    },
    {
        "name": "empty_outputs_and_unicode_labels",
        "y_true": ["café", "naïve", "日本", "café", "Ünïcödé", "日本", "naïve"],
        "y_pred": ["café", "", "日本", "", "ünïcödé", "中国", "naïve"],
    },
    {
        "name": "all_wrong",
        "y_true": ["x", "y", "x", "y"],
        "y_pred": ["y", "x", "y", "x"],
    },
    {
        "name": "taxonomy_given_with_labels_outside_it",
        "y_true": ["billing", "shipping", "refund", "billing", "other"],
        "y_pred": ["billing", "refund", "refund", "<error>", "billing"],
        "labels": ["billing", "refund", "shipping", "cancellation"],
    },
]

# Deterministic larger set: 5 classes, skewed, with noise.
rng = np.random.default_rng(20261129)
classes = ["alpha", "beta", "gamma", "delta", "epsilon"]
truth = rng.choice(classes, size=500, p=[0.4, 0.25, 0.2, 0.1, 0.05])
pred = [t if rng.random() < 0.7 else str(rng.choice(classes[:4])) for t in truth]
LABEL_CASES.append({"name": "five_classes_500_cases", "y_true": [str(t) for t in truth], "y_pred": pred})


def label_reference(case):
    y_true, y_pred = case["y_true"], case["y_pred"]
    labels = case.get("labels") or [str(x) for x in unique_labels(y_true, y_pred)]
    per = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=None)
    out = {
        **case,
        "labels": labels,
        "taxonomy_given": "labels" in case,
        "accuracy": accuracy_score(y_true, y_pred),
        "per_class": [
            {"label": l, "precision": float(per[0][i]), "recall": float(per[1][i]),
             "f1": float(per[2][i]), "support": int(per[3][i])}
            for i, l in enumerate(labels)
        ],
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }
    for avg in ["macro", "micro", "weighted"]:
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=avg)
        out[avg] = {"precision": float(p), "recall": float(r), "f1": float(f)}
    return out


TEXT_PAIRS = [
    ("The cat sat on the mat.", "The cat is on the mat."),
    ("the quick brown fox jumps over the lazy dog", "the quick brown fox jumps over the lazy dog"),
    ("", "A reference that the system left empty."),
    ("An output with no reference.", ""),
    ("", ""),
    ("Prices rose 3.5% to $1,200.50 in Q3-2024, analysts said.", "Prices rose by 3.5 % to $1,200.50 in Q3 2024, said analysts."),
    ("Café crème à Zürich — très bon!", "Un café crème à Zürich, très bon."),
    ("我喜欢猫和狗。", "我喜欢狗和猫。"),
    ("Ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ and emoji 🙂 here", "Fullwidth text and emoji 🙂 here"),
    ("He said &quot;no&quot; &amp; left <skipped> early-\nthen returned", "He said \"no\" & left early then returned"),
    ("well-known 2-3 items, e.g. A.B.C.", "well known 2 - 3 items e.g. ABC"),
    ("Refund issued within 30 days", "A refund is issued within thirty days of purchase"),
    ("x", "x y z"),
    ("tab\tseparated\u001cinfo separator", "tab separated info separator"),
    ("Das Öl ist teuer; die Straße auch.", "Das Öl ist teuer, und die Straße auch."),
]


def text_reference():
    scorer = rouge_scorer.RougeScorer(["rougeL"])
    pairs = []
    for hyp, ref in TEXT_PAIRS:
        r = scorer.score(ref, hyp)["rougeL"]
        pairs.append({
            "hypothesis": hyp,
            "reference": ref,
            "sentence_bleu": sacrebleu.sentence_bleu(hyp, [ref]).score,
            "sentence_chrf": sacrebleu.sentence_chrf(hyp, [ref]).score,
            "rouge_l": {"precision": r.precision, "recall": r.recall, "fmeasure": r.fmeasure},
        })
    hyps = [h for h, _ in TEXT_PAIRS]
    refs = [r for _, r in TEXT_PAIRS]
    return {
        "pairs": pairs,
        "corpus_bleu": sacrebleu.corpus_bleu(hyps, [refs]).score,
        "corpus_chrf": sacrebleu.corpus_chrf(hyps, [refs]).score,
        "corpus_bleu_first_three": sacrebleu.corpus_bleu(hyps[:3], [refs[:3]]).score,
        "tokenized_13a": [sacrebleu.tokenizers.tokenizer_13a.Tokenizer13a()(h.rstrip()) for h in hyps],
    }


def stats_reference():
    mc = []
    for b, c in [(0, 0), (0, 10), (5, 5), (3, 12), (12, 3), (40, 61), (100, 140), (1, 0), (700, 810)]:
        res = mcnemar([[10, b], [c, 10]], exact=True)
        mc.append({"a_only": b, "b_only": c, "p_value": float(res.pvalue)})
    wl = []
    for k, n, conf in [(0, 20, 0.95), (20, 20, 0.95), (7, 20, 0.95), (412, 500, 0.95),
                       (1, 3, 0.9), (55, 100, 0.99), (99_000, 100_000, 0.95)]:
        lo, hi = proportion_confint(k, n, alpha=1 - conf, method="wilson")
        wl.append({"successes": k, "n": n, "confidence": conf, "low": float(lo), "high": float(hi)})
    return {"mcnemar": mc, "wilson": wl}


# Paired 2x2 tables (both right, only A right, only B right, neither), confidence.
PAIRED_TABLES = [
    (10, 0, 5, 5, 0.95),      # n = 20, five discordant pairs all favouring B
    (24, 1, 7, 8, 0.95),      # n = 40, 7 vs 1
    (300, 20, 36, 44, 0.95),  # 320/400 vs 336/400
    (0, 0, 0, 10, 0.95),      # both arms always wrong
    (10, 0, 0, 0, 0.95),      # both always right
    (0, 5, 5, 0, 0.95),       # every pair discordant
    (0, 0, 20, 0, 0.95),      # B always right, A never
    (30, 3, 9, 8, 0.9),
    (700, 40, 61, 199, 0.99),
    (1, 0, 1, 0, 0.95),
]


def newcombe_method_10(both, a_only, b_only, neither, conf):
    """Newcombe (1998) method 10 for p_B - p_A, from statsmodels' Wilson intervals."""
    n = both + a_only + b_only + neither
    alpha = 1 - conf
    pa, pb = (both + a_only) / n, (both + b_only) / n
    la, ua = proportion_confint(both + a_only, n, alpha=alpha, method="wilson")
    lb, ub = proportion_confint(both + b_only, n, alpha=alpha, method="wilson")
    # statsmodels leaves Wilson bounds a hair outside [0, 1] at 0 and n successes.
    la, ua, lb, ub = (min(max(x, 0.0), 1.0) for x in (la, ua, lb, ub))
    # Cells in Newcombe's notation for the pair (B, A): e = both, f = B only, g = A only, h = neither.
    e, f, g, h = both, b_only, a_only, neither
    denom = (e + f) * (g + h) * (e + g) * (f + h)
    phi = 0.0 if denom == 0 else (e * h - f * g) / np.sqrt(denom)
    theta = pb - pa
    delta = np.sqrt(max((pb - lb) ** 2 - 2 * phi * (pb - lb) * (ua - pa) + (ua - pa) ** 2, 0.0))
    eps = np.sqrt(max((ub - pb) ** 2 - 2 * phi * (ub - pb) * (pa - la) + (pa - la) ** 2, 0.0))
    return max(theta - delta, -1.0), min(theta + eps, 1.0)


def paired_reference():
    out = []
    for both, a_only, b_only, neither, conf in PAIRED_TABLES:
        lo, hi = newcombe_method_10(both, a_only, b_only, neither, conf)
        p = float(mcnemar([[both, a_only], [b_only, neither]], exact=True).pvalue)
        out.append({"both": both, "a_only": a_only, "b_only": b_only, "neither": neither,
                    "confidence": conf, "low": float(lo), "high": float(hi), "mcnemar_p": p})
    return {"method": "Newcombe 1998 method 10 (Wilson score intervals, phi uncorrected)",
            "tables": out}


# Two systems over the same references, for corpus BLEU / chrF and their paired bootstrap.
def corpus_systems():
    refs = [r for _, r in TEXT_PAIRS]
    sys_a = [h for h, _ in TEXT_PAIRS]
    # System B: the reference itself on every third case, else system A's output.
    sys_b = [r if i % 3 == 0 else h for i, (h, r) in enumerate(TEXT_PAIRS)]
    return refs, sys_a, sys_b


def corpus_reference(resamples=20000, seed=20261130, conf=0.95):
    refs, sys_a, sys_b = corpus_systems()
    n = len(refs)
    rng = np.random.default_rng(seed)
    out = {"references": refs, "system_a": sys_a, "system_b": sys_b,
           "resamples": resamples, "confidence": conf}
    for name, metric in [("bleu", sacrebleu.corpus_bleu), ("chrf", sacrebleu.corpus_chrf)]:
        a = metric(sys_a, [refs]).score
        b = metric(sys_b, [refs]).score
        diffs = []
        for _ in range(resamples):
            idx = rng.integers(0, n, n)
            ra = [refs[i] for i in idx]
            diffs.append(metric([sys_b[i] for i in idx], [ra]).score
                         - metric([sys_a[i] for i in idx], [ra]).score)
        lo, hi = np.percentile(diffs, [100 * (1 - conf) / 2, 100 * (1 + conf) / 2])
        out[name] = {"a": a, "b": b, "difference": b - a, "low": float(lo), "high": float(hi)}
    return out


def write(name, data):
    OUT.mkdir(parents=True, exist_ok=True)
    data = {"generated_by": "scripts/reference_metrics.py", "versions": VERSIONS, **data}
    (OUT / name).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print("wrote", OUT / name)


if __name__ == "__main__":
    # Optional names of the files to write (default: all of them).
    wanted = set(sys.argv[1:])
    files = {
        "labels.json": lambda: {"zero_division": "warn (scikit-learn default; yields 0)",
                                "cases": [label_reference(c) for c in LABEL_CASES]},
        "text.json": text_reference,
        "stats.json": stats_reference,
        "paired.json": paired_reference,
        "corpus.json": corpus_reference,
    }
    for file, make in files.items():
        if not wanted or file in wanted:
            write(file, make())
