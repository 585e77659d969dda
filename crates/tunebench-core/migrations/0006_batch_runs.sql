-- Migration 8: runs sent through the providers' batch APIs (OpenAI and Azure OpenAI
-- `/batches`, Anthropic Message Batches). A run with a `batch_run` row is a batch run; each
-- of its arms is sent as one or more provider batches (`batch_job`, one row per part of an
-- arm's cases, split by the provider's size and count limits), whose ids and states live
-- here so that polling and ingesting continue after the process is gone.

CREATE TABLE batch_run (
    run_id         INTEGER PRIMARY KEY REFERENCES run(id) ON DELETE CASCADE,
    -- What becomes of a case the batch errored or let expire: asked again live, or kept as an error.
    on_failure     TEXT    NOT NULL DEFAULT 'live' CHECK (on_failure IN ('live', 'error')),
    -- Cases per arm sent live to measure latency and time to first token.
    latency_sample INTEGER NOT NULL DEFAULT 200 CHECK (latency_sample >= 0),
    created_at     TEXT    NOT NULL
);

CREATE TABLE batch_job (
    run_id            INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    arm_id            INTEGER NOT NULL REFERENCES arm(id) ON DELETE RESTRICT,
    -- The part of the arm's cases (0, 1, ...), in the order they were submitted.
    part              INTEGER NOT NULL CHECK (part >= 0),
    -- JSON array of the example ids this part asks.
    case_ids          TEXT    NOT NULL,
    -- The provider's ids: the uploaded input file (OpenAI, Azure) and the batch.
    input_file_id     TEXT,
    provider_batch_id TEXT,
    state             TEXT    NOT NULL DEFAULT 'preparing'
                      CHECK (state IN ('preparing', 'validating', 'in_progress', 'finalizing',
                                       'cancelling', 'completed', 'failed', 'expired',
                                       'cancelled', 'ingested')),
    -- The provider's own word for the state (`in_progress`, `ended`, ...).
    provider_status   TEXT,
    total             INTEGER NOT NULL DEFAULT 0 CHECK (total >= 0),
    succeeded         INTEGER NOT NULL DEFAULT 0 CHECK (succeeded >= 0),
    failed            INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
    error_message     TEXT,
    poll_failures     INTEGER NOT NULL DEFAULT 0 CHECK (poll_failures >= 0),
    updated_at        TEXT    NOT NULL,
    PRIMARY KEY (run_id, arm_id, part)
);
