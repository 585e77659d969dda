#!/usr/bin/env python3
"""Reference values for Tunebench's format and entity tests, from independent libraries.

Run by hand (not in CI) after changing the fixture inputs below:

    python3 -m venv /tmp/fmtenv
    /tmp/fmtenv/bin/pip install jsonschema seqeval
    /tmp/fmtenv/bin/python scripts/reference_formats.py

It writes two JSON files under crates/tunebench-core/tests/fixtures/reference/, each with
the versions of the libraries that produced it:

- json_schema.json: for each JSON Schema and each answer, whether Python's `jsonschema`
  (Draft202012Validator, the draft Tunebench validates under) accepts the answer. An
  answer that is not JSON is not valid. Answers are raw JSON text, so no extraction from
  prose or fences is involved.
- entities.json: a CoNLL-shaped NER set (BIO tags over tokens, PER/ORG/LOC/MISC), made
  deterministically from a seeded generator with the errors taggers make (a wrong type,
  a boundary off by a token, a missed or a spurious entity), with seqeval's micro-averaged
  precision, recall and F1 over the spans, and each sentence's entities written as the
  JSON list Tunebench's `entity` scorer reads ({"text", "type"}). Tunebench compares
  entities as (text, type) sets per sentence, seqeval as (type, start, end) spans; the two
  agree when no sentence holds the same (text, type) twice, which this script asserts.
"""

import json
import pathlib
import random
import sys
from importlib.metadata import version

import jsonschema
from seqeval.metrics import f1_score, precision_score, recall_score
from seqeval.metrics.sequence_labeling import get_entities

OUT = pathlib.Path(__file__).resolve().parent.parent / "crates/tunebench-core/tests/fixtures/reference"

SCHEMAS = [
    {
        "name": "ticket",
        "schema": {
            "type": "object",
            "required": ["label", "priority"],
            "properties": {
                "label": {"enum": ["billing", "shipping", "refund"]},
                "priority": {"type": "integer", "minimum": 1, "maximum": 5},
                "note": {"type": "string", "maxLength": 20},
            },
            "additionalProperties": False,
        },
        "answers": [
            '{"label": "billing", "priority": 2}',
            '{"label": "billing", "priority": 2, "note": "call back"}',
            '{"label": "billing"}',
            '{"label": "invoice", "priority": 2}',
            '{"label": "billing", "priority": "2"}',
            '{"label": "billing", "priority": 0}',
            '{"label": "billing", "priority": 5}',
            '{"label": "billing", "priority": 6}',
            '{"label": "billing", "priority": 2.0}',
            '{"label": "billing", "priority": 2.5}',
            '{"label": "billing", "priority": 2, "extra": true}',
            '{"label": "billing", "priority": 2, "note": "this note is far too long to pass"}',
            '["billing", 2]',
            '{"label": null, "priority": 2}',
            'billing',
            '{label: "billing", priority: 2}',
            '',
        ],
    },
    {
        "name": "order_with_refs",
        "schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": {
                "item": {
                    "type": "object",
                    "required": ["sku", "qty"],
                    "properties": {
                        "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
                        "qty": {"type": "integer", "exclusiveMinimum": 0},
                    },
                }
            },
            "type": "object",
            "required": ["items"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/$defs/item"}, "minItems": 1, "uniqueItems": True},
                "currency": {"const": "EUR"},
                "contact": {"anyOf": [{"type": "string", "minLength": 3}, {"type": "null"}]},
            },
        },
        "answers": [
            '{"items": [{"sku": "ABC-1234", "qty": 1}]}',
            '{"items": [{"sku": "ABC-1234", "qty": 1}], "currency": "EUR", "contact": null}',
            '{"items": [{"sku": "ABC-1234", "qty": 1}], "currency": "USD"}',
            '{"items": []}',
            '{"items": [{"sku": "abc-1234", "qty": 1}]}',
            '{"items": [{"sku": "ABC-1234", "qty": 0}]}',
            '{"items": [{"sku": "ABC-1234", "qty": 1}, {"sku": "ABC-1234", "qty": 1}]}',
            '{"items": [{"sku": "ABC-1234", "qty": 1}, {"sku": "ABC-1234", "qty": 2}]}',
            '{"items": [{"sku": "ABC-1234"}]}',
            '{"items": [{"sku": "ABC-1234", "qty": 1}], "contact": "al"}',
            '{"items": [{"sku": "ABC-1234", "qty": 1}], "contact": "alice"}',
            '{"items": [{"sku": "ABC-1234", "qty": 1, "colour": "red"}], "other": 1}',
            '{"items": {"sku": "ABC-1234", "qty": 1}}',
            '{}',
        ],
    },
]


def schema_fixture():
    cases = []
    for s in SCHEMAS:
        validator = jsonschema.Draft202012Validator(s["schema"])
        verdicts = []
        for answer in s["answers"]:
            try:
                value = json.loads(answer)
            except json.JSONDecodeError:
                verdicts.append({"answer": answer, "valid": False, "json": False})
                continue
            verdicts.append({"answer": answer, "valid": validator.is_valid(value), "json": True})
        cases.append({"name": s["name"], "schema": json.dumps(s["schema"]), "verdicts": verdicts})
    return {
        "versions": {"jsonschema": version("jsonschema"), "python": sys.version.split()[0]},
        "draft": "2020-12",
        "cases": cases,
    }


# Entity names by type, and filler words, for a CoNLL-shaped set of sentences.
NAMES = {
    "PER": ["Angela Merkel", "Tom", "Maria Garcia", "Li Wei", "John Smith", "Ada"],
    "ORG": ["Siemens", "European Union", "Reuters", "Acme Corp", "United Nations"],
    "LOC": ["Berlin", "New York", "Paris", "Lake Geneva", "Tokyo", "Madrid"],
    "MISC": ["German", "Olympics", "Euro", "French", "World Cup"],
}
FILLER = "the said on in a met for with at of and to from after was report visit".split()


def spans_to_json(tokens, tags):
    """The sentence's entities as Tunebench's entity scorer reads them."""
    return json.dumps(
        [{"text": " ".join(tokens[s : e + 1]), "type": t} for t, s, e in get_entities(tags)],
        ensure_ascii=False,
    )


def sentence(rng):
    tokens, tags, used = [], [], set()
    for _ in range(rng.randint(1, 4)):
        for _ in range(rng.randint(1, 3)):
            tokens.append(rng.choice(FILLER))
            tags.append("O")
        kind = rng.choice(sorted(NAMES))
        name = rng.choice(NAMES[kind])
        if (name, kind) in used:
            continue
        used.add((name, kind))
        for i, w in enumerate(name.split()):
            tokens.append(w)
            tags.append(("B-" if i == 0 else "I-") + kind)
    tokens.append(".")
    tags.append("O")
    return tokens, tags


def predict(rng, tokens, gold):
    """The gold tags with the errors a tagger makes."""
    pred = list(gold)
    for kind, start, end in get_entities(gold):
        r = rng.random()
        if r < 0.12:  # missed
            for i in range(start, end + 1):
                pred[i] = "O"
        elif r < 0.22:  # wrong type
            other = rng.choice([k for k in sorted(NAMES) if k != kind])
            for i in range(start, end + 1):
                pred[i] = ("B-" if i == start else "I-") + other
        elif r < 0.30 and end + 1 < len(tokens) - 1 and pred[end + 1] == "O":  # one token too long
            pred[end + 1] = "I-" + kind
        elif r < 0.36 and end > start:  # one token too short
            pred[end] = "O"
    for i in range(len(tokens) - 1):
        if pred[i] == "O" and gold[i] == "O" and tokens[i] in ("report", "visit") and rng.random() < 0.5:
            pred[i] = "B-MISC"  # spurious
            if i + 1 < len(pred) and pred[i + 1].startswith("I-"):
                pred[i] = "O"
    return pred


def distinct(tokens, tags):
    ents = [(" ".join(tokens[s : e + 1]), t) for t, s, e in get_entities(tags)]
    return len(ents) == len(set(ents))


def entity_fixture():
    rng = random.Random(11)
    sentences = []
    while len(sentences) < 60:
        tokens, gold = sentence(rng)
        pred = predict(rng, tokens, gold)
        if not (distinct(tokens, gold) and distinct(tokens, pred)):
            continue
        sentences.append({
            "tokens": tokens,
            "gold": gold,
            "pred": pred,
            "expected": spans_to_json(tokens, gold),
            "output": spans_to_json(tokens, pred),
        })
    y_true = [s["gold"] for s in sentences]
    y_pred = [s["pred"] for s in sentences]
    return {
        "versions": {"seqeval": version("seqeval"), "python": sys.version.split()[0]},
        "average": "micro",
        "precision": precision_score(y_true, y_pred),
        "recall": recall_score(y_true, y_pred),
        "f1": f1_score(y_true, y_pred),
        "sentences": sentences,
    }


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in [("json_schema.json", schema_fixture()), ("entities.json", entity_fixture())]:
        (OUT / name).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
