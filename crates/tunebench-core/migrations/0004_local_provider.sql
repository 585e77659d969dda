-- A provider kind for local models: a GGUF file that Tunebench serves itself with
-- llama.cpp's llama-server (its base_url is 'local'; the arm's model is the file's path).
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt with its rows
-- and ids (foreign keys are off while migrating and checked before the commit; the tables
-- that refer to provider(id) name it, so they refer to the new table).
CREATE TABLE provider_v3 (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('openai', 'azure_openai', 'anthropic', 'openai_compatible', 'local')),
    base_url    TEXT NOT NULL,
    api_key_env TEXT,                             -- name of an environment variable; never the key itself
    settings    TEXT NOT NULL DEFAULT '{}'        -- JSON: concurrency, rate limits, timeout, attempts, api-version
);
INSERT INTO provider_v3 (id, name, kind, base_url, api_key_env, settings)
    SELECT id, name, kind, base_url, api_key_env, settings FROM provider;
DROP TABLE provider;
ALTER TABLE provider_v3 RENAME TO provider;
