-- Migration 1: the whole data model of DESIGN.md §3. Never edit once released;
-- add 0002_*.sql instead. Times are RFC 3339 UTC text; money is USD as REAL;
-- prices are USD per 1M tokens. JSON columns hold UTF-8 JSON text.

CREATE TABLE dataset (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    source_file   TEXT    NOT NULL,
    source_format TEXT    NOT NULL,
    imported_at   TEXT    NOT NULL,
    row_count     INTEGER NOT NULL DEFAULT 0 CHECK (row_count >= 0),
    column_map    TEXT    NOT NULL DEFAULT '{}',  -- JSON: {"input": "...", "expected": "...", "id": "...", "metadata": [...]}
    report        TEXT    NOT NULL DEFAULT '{}'   -- JSON: the validation report written at import
);

CREATE TABLE example (
    id          INTEGER PRIMARY KEY,
    dataset_id  INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    ordinal     INTEGER NOT NULL,                 -- 0-based position in the source file
    external_id TEXT,                             -- the file's own id column, when mapped
    input       TEXT    NOT NULL,
    expected    TEXT    NOT NULL DEFAULT '',
    metadata    TEXT    NOT NULL DEFAULT '{}',    -- JSON object: every unmapped column
    split       TEXT    NOT NULL DEFAULT 'unassigned' CHECK (split IN ('train', 'test', 'unassigned')),
    UNIQUE (dataset_id, ordinal)
);
CREATE INDEX example_dataset_split ON example(dataset_id, split);

CREATE TABLE provider (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('openai', 'azure_openai', 'anthropic', 'openai_compatible')),
    base_url    TEXT NOT NULL,
    api_key_env TEXT,                             -- name of an environment variable; never the key itself
    settings    TEXT NOT NULL DEFAULT '{}'        -- JSON: concurrency, rate limits, timeout, attempts, api-version
);

CREATE TABLE arm (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('prompt', 'fine_tuned', 'hybrid')),
    provider_id   INTEGER NOT NULL REFERENCES provider(id) ON DELETE RESTRICT,
    model         TEXT    NOT NULL,
    system_prompt TEXT    NOT NULL DEFAULT '',
    template      TEXT    NOT NULL DEFAULT '{{input}}',
    few_shot      TEXT    NOT NULL DEFAULT '{}',  -- JSON: k, strategy, seed, fixed ids
    retrieval     TEXT    NOT NULL DEFAULT '{}',  -- JSON: dir, top_k, chunking
    params        TEXT    NOT NULL DEFAULT '{}',  -- JSON: max_tokens, temperature, response_format, price override
    created_at    TEXT    NOT NULL
);

CREATE TABLE experiment (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL,
    dataset_id     INTEGER NOT NULL REFERENCES dataset(id) ON DELETE RESTRICT,
    split          TEXT    NOT NULL DEFAULT 'test' CHECK (split IN ('train', 'test', 'all')),
    primary_metric TEXT    NOT NULL DEFAULT 'accuracy',
    margin_kind    TEXT    NOT NULL DEFAULT 'relative' CHECK (margin_kind IN ('relative', 'absolute')),
    margin_value   REAL    NOT NULL DEFAULT 0.05,
    labels         TEXT    NOT NULL DEFAULT '[]', -- JSON array: the taxonomy, for format compliance
    questions      TEXT    NOT NULL DEFAULT '{}', -- JSON: the decision framework's answers
    created_at     TEXT    NOT NULL
);

-- The arms an experiment compares, in order: position 0 is arm A (prompting), 1 is arm B.
CREATE TABLE experiment_arm (
    experiment_id INTEGER NOT NULL REFERENCES experiment(id) ON DELETE CASCADE,
    arm_id        INTEGER NOT NULL REFERENCES arm(id) ON DELETE RESTRICT,
    position      INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, arm_id),
    UNIQUE (experiment_id, position)
);

CREATE TABLE run (
    id            INTEGER PRIMARY KEY,
    experiment_id INTEGER NOT NULL REFERENCES experiment(id) ON DELETE CASCADE,
    started_at    TEXT    NOT NULL,
    finished_at   TEXT,
    status        TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'running', 'interrupted', 'cancelled', 'budget_stopped', 'completed', 'failed')),
    settings      TEXT    NOT NULL DEFAULT '{}'  -- JSON snapshot of experiment, arms and providers (no secrets)
);

CREATE TABLE result (
    run_id            INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    arm_id            INTEGER NOT NULL REFERENCES arm(id) ON DELETE RESTRICT,
    example_id        INTEGER NOT NULL REFERENCES example(id) ON DELETE CASCADE,
    output            TEXT,
    error_class       TEXT,                      -- NULL when answered; else timeout|rate_limited|http|network|parse|...
    http_status       INTEGER,
    error_message     TEXT,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    cached_tokens     INTEGER,
    latency_ms        REAL,
    ttft_ms           REAL,
    attempts          INTEGER NOT NULL DEFAULT 1,
    cost              REAL,
    from_cache        INTEGER NOT NULL DEFAULT 0 CHECK (from_cache IN (0, 1)),
    scores            TEXT    NOT NULL DEFAULT '{}',
    created_at        TEXT    NOT NULL,
    PRIMARY KEY (run_id, arm_id, example_id),
    CHECK ((output IS NULL) <> (error_class IS NULL))
);

-- Responses keyed by a hash of (provider, model, messages, parameters), so an unchanged arm re-run costs nothing.
CREATE TABLE response_cache (
    key               TEXT PRIMARY KEY,
    output            TEXT    NOT NULL,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    cached_tokens     INTEGER,
    latency_ms        REAL,
    ttft_ms           REAL,
    created_at        TEXT    NOT NULL
);

CREATE TABLE price (
    id                INTEGER PRIMARY KEY,
    provider          TEXT NOT NULL,
    model_pattern     TEXT NOT NULL,             -- exact id or a glob such as ft:gpt-4.1-mini:*
    kind              TEXT NOT NULL CHECK (kind IN ('base', 'fine_tuned')),
    input             REAL,                      -- $ per 1M tokens
    cached_input      REAL,
    cache_write       REAL,
    output            REAL,
    batch_multiplier  REAL,                      -- e.g. 0.5 for a 50 % batch discount
    training          REAL,
    training_unit     TEXT CHECK (training_unit IS NULL OR training_unit IN ('per_1m_tokens', 'per_hour')),
    hosting_per_hour  REAL,
    retirement_date   TEXT,                      -- the base model's shutdown date (YYYY-MM-DD)
    source            TEXT NOT NULL,
    as_of             TEXT NOT NULL,             -- YYYY-MM-DD the price was checked
    origin            TEXT NOT NULL DEFAULT 'seed' CHECK (origin IN ('seed', 'custom')),
    UNIQUE (provider, model_pattern, kind, origin)
);

CREATE TABLE scenario (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL DEFAULT 'default',
    settings   TEXT    NOT NULL DEFAULT '{}',    -- JSON: volume, growth, cadence, hosting, shares, error cost
    updated_at TEXT    NOT NULL,
    UNIQUE (run_id, name)
);

CREATE TABLE fine_tune_job (
    id             INTEGER PRIMARY KEY,
    provider_id    INTEGER NOT NULL REFERENCES provider(id) ON DELETE RESTRICT,
    dataset_id     INTEGER REFERENCES dataset(id) ON DELETE SET NULL,
    provider_job_id TEXT   NOT NULL,
    base_model     TEXT    NOT NULL,
    training_file  TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    events         TEXT    NOT NULL DEFAULT '[]',
    result_model   TEXT,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
