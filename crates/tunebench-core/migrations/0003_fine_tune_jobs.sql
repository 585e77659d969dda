-- Migration 3: fine-tune jobs the app starts and follows, remote (OpenAI, Azure OpenAI,
-- Together, Fireworks) or local (llama.cpp). The table of migration 1 was never written by
-- any build, and a local job has no provider, so it is rebuilt rather than altered; any
-- rows are carried over (an unknown status becomes 'failed', with the old word kept).
-- Money is USD as REAL, like every other table.

CREATE TABLE fine_tune_job_v3 (
    id               INTEGER PRIMARY KEY,
    -- Who trains: a provider's fine-tuning API or the local llama.cpp trainer.
    trainer          TEXT    NOT NULL
                     CHECK (trainer IN ('openai', 'azure_openai', 'together', 'fireworks', 'llama_cpp')),
    -- The provider whose key the job uses and that serves the result; NULL for a local job
    -- until a local server is registered for its model.
    provider_id      INTEGER REFERENCES provider(id) ON DELETE RESTRICT,
    dataset_id       INTEGER REFERENCES dataset(id) ON DELETE SET NULL,
    -- The split the training examples came from (always the train split today).
    split            TEXT    NOT NULL DEFAULT 'train' CHECK (split IN ('train')),
    -- The arm whose system prompt and template rendered the training examples.
    source_arm_id    INTEGER REFERENCES arm(id) ON DELETE SET NULL,
    base_model       TEXT    NOT NULL,
    -- JSON: epochs, learning rate (multiplier), batch size, LoRA rank, suffix, seed...
    hyperparameters  TEXT    NOT NULL DEFAULT '{}',
    -- The provider's ids: uploaded file (or Fireworks dataset, or the local file path) and job.
    training_file    TEXT,
    provider_job_id  TEXT,
    status           TEXT    NOT NULL DEFAULT 'validating'
                     CHECK (status IN ('validating', 'queued', 'running', 'succeeded', 'failed', 'cancelled')),
    -- The provider's own word for the state (e.g. 'validating_files', 'JOB_STATE_RUNNING').
    provider_status  TEXT,
    error_message    TEXT,
    events           TEXT    NOT NULL DEFAULT '[]', -- JSON array of {at, level, message, step?, loss?}
    log_tail         TEXT    NOT NULL DEFAULT '',   -- the last lines of a local trainer's output
    example_count    INTEGER CHECK (example_count IS NULL OR example_count >= 0),
    trained_tokens   INTEGER CHECK (trained_tokens IS NULL OR trained_tokens >= 0),
    estimated_cost   REAL    CHECK (estimated_cost IS NULL OR estimated_cost >= 0),
    spend_ceiling    REAL    CHECK (spend_ceiling IS NULL OR spend_ceiling >= 0),
    -- What training measurably cost, USD, and where the figure came from.
    training_cost    REAL    CHECK (training_cost IS NULL OR training_cost >= 0),
    training_cost_source TEXT CHECK (training_cost_source IS NULL OR
                     training_cost_source IN ('billed', 'trained_tokens', 'compute_time')),
    wall_seconds     REAL    CHECK (wall_seconds IS NULL OR wall_seconds >= 0),
    result_model     TEXT,
    -- Where the result is served when it needs a deployment (Azure, Fireworks), and its hourly fee.
    deployment       TEXT,
    hosting_per_hour REAL    CHECK (hosting_per_hour IS NULL OR hosting_per_hour >= 0),
    result_arm_id    INTEGER REFERENCES arm(id) ON DELETE SET NULL,
    -- Polling survives a restart: when to look next, and how many polls in a row failed.
    next_poll_at     TEXT,
    poll_failures    INTEGER NOT NULL DEFAULT 0 CHECK (poll_failures >= 0),
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    started_at       TEXT,
    finished_at      TEXT
);

INSERT INTO fine_tune_job_v3 (id, trainer, provider_id, dataset_id, base_model, training_file,
        provider_job_id, status, provider_status, events, result_model, created_at, updated_at)
SELECT j.id,
       CASE p.kind WHEN 'azure_openai' THEN 'azure_openai' ELSE 'openai' END,
       j.provider_id, j.dataset_id, j.base_model, j.training_file, j.provider_job_id,
       CASE WHEN j.status IN ('validating', 'queued', 'running', 'succeeded', 'failed', 'cancelled')
            THEN j.status ELSE 'failed' END,
       j.status, j.events, j.result_model, j.created_at, j.updated_at
  FROM fine_tune_job j LEFT JOIN provider p ON p.id = j.provider_id;

DROP TABLE fine_tune_job;
ALTER TABLE fine_tune_job_v3 RENAME TO fine_tune_job;

CREATE INDEX fine_tune_job_status ON fine_tune_job(status);
