-- A validation split carved from train, on which a prompt search chooses the prompting arm
-- without ever reading the held-out test rows; experiments (the search's own) may evaluate
-- it; and the searches, kept with the experiment whose arm A they chose.
-- SQLite cannot change a CHECK constraint in place, so `example` and `experiment` are
-- rebuilt with their rows and ids (foreign keys are off while migrating and checked before
-- the commit; the tables that refer to them name them, so they refer to the new tables).
CREATE TABLE example_v7 (
    id          INTEGER PRIMARY KEY,
    dataset_id  INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    ordinal     INTEGER NOT NULL,                 -- 0-based position in the source file
    external_id TEXT,                             -- the file's own id column, when mapped
    input       TEXT    NOT NULL,
    expected    TEXT    NOT NULL DEFAULT '',
    metadata    TEXT    NOT NULL DEFAULT '{}',    -- JSON object: every unmapped column
    split       TEXT    NOT NULL DEFAULT 'unassigned'
                CHECK (split IN ('train', 'validation', 'test', 'unassigned')),
    UNIQUE (dataset_id, ordinal)
);
INSERT INTO example_v7 (id, dataset_id, ordinal, external_id, input, expected, metadata, split)
    SELECT id, dataset_id, ordinal, external_id, input, expected, metadata, split FROM example;
DROP TABLE example;
ALTER TABLE example_v7 RENAME TO example;
CREATE INDEX example_dataset_split ON example(dataset_id, split);

CREATE TABLE experiment_v7 (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL,
    dataset_id     INTEGER NOT NULL REFERENCES dataset(id) ON DELETE RESTRICT,
    split          TEXT    NOT NULL DEFAULT 'test' CHECK (split IN ('train', 'validation', 'test', 'all')),
    primary_metric TEXT    NOT NULL DEFAULT 'accuracy',
    margin_kind    TEXT    NOT NULL DEFAULT 'relative' CHECK (margin_kind IN ('relative', 'absolute')),
    margin_value   REAL    NOT NULL DEFAULT 0.05,
    labels         TEXT    NOT NULL DEFAULT '[]', -- JSON array: the taxonomy, for format compliance
    questions      TEXT    NOT NULL DEFAULT '{}', -- JSON: the decision framework's answers
    created_at     TEXT    NOT NULL
);
INSERT INTO experiment_v7 (id, name, dataset_id, split, primary_metric, margin_kind, margin_value,
                           labels, questions, created_at)
    SELECT id, name, dataset_id, split, primary_metric, margin_kind, margin_value, labels,
           questions, created_at FROM experiment;
DROP TABLE experiment;
ALTER TABLE experiment_v7 RENAME TO experiment;

-- One prompt search: its candidates are the arms of `search_experiment_id` (an experiment
-- over the validation split), answered by `run_id`; the chosen candidate became arm A of
-- `experiment_id`, the experiment over the held-out test split.
CREATE TABLE search (
    id                   INTEGER PRIMARY KEY,
    experiment_id        INTEGER REFERENCES experiment(id) ON DELETE CASCADE,
    search_experiment_id INTEGER NOT NULL REFERENCES experiment(id) ON DELETE CASCADE,
    run_id               INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    settings             TEXT    NOT NULL DEFAULT '{}',  -- JSON: the grid, choice rule, halving schedule
    outcome              TEXT,                           -- JSON: the ranking and the chosen candidate
    created_at           TEXT    NOT NULL
);
CREATE INDEX search_experiment ON search(experiment_id);
