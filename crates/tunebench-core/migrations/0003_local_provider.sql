-- A provider kind for local models: a GGUF file that Tunebench serves itself with
-- llama.cpp's llama-server (its base_url is 'local'; the arm's model is the file's path).
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt with its rows
-- and ids. legacy_alter_table keeps the tables that reference provider(id) pointing at the
-- name `provider` while the old table is renamed away and dropped.
PRAGMA legacy_alter_table = ON;
ALTER TABLE provider RENAME TO provider_v2;
CREATE TABLE provider (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('openai', 'azure_openai', 'anthropic', 'openai_compatible', 'local')),
    base_url    TEXT NOT NULL,
    api_key_env TEXT,                             -- name of an environment variable; never the key itself
    settings    TEXT NOT NULL DEFAULT '{}'        -- JSON: concurrency, rate limits, timeout, attempts, api-version
);
INSERT INTO provider (id, name, kind, base_url, api_key_env, settings)
    SELECT id, name, kind, base_url, api_key_env, settings FROM provider_v2;
DROP TABLE provider_v2;
PRAGMA legacy_alter_table = OFF;
