-- Settings of this store, one value per name: `machine_cost_per_hour`, the USD an hour of
-- this machine costs, which prices both a local fine-tune's training and a local arm's
-- answers (default 0 when unset, stated wherever a cost is shown).
CREATE TABLE setting (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- A local model's answer: its share of the machine's serving wall time, in ms (the time a
-- call was in flight, divided among the local calls in flight with it). Its cost is this
-- share × the machine's cost per hour. NULL for every other provider.
ALTER TABLE result ADD COLUMN machine_ms REAL;
ALTER TABLE response_cache ADD COLUMN machine_ms REAL;
