-- Why an answer ended other than by finishing: 'length' (cut at the token limit; the answer
-- is kept and scored, and flagged), 'content_filter' or 'refusal' (no answer: error_class
-- 'refused'). NULL when the answer finished normally or the call failed otherwise.
ALTER TABLE result ADD COLUMN finish_reason TEXT
    CHECK (finish_reason IS NULL OR finish_reason IN ('length', 'content_filter', 'refusal'));
-- Of prompt_tokens, those written to the provider's prompt cache (billed above the input price).
ALTER TABLE result ADD COLUMN cache_write_tokens INTEGER;

ALTER TABLE response_cache ADD COLUMN cache_write_tokens INTEGER;
ALTER TABLE response_cache ADD COLUMN finish_reason TEXT;
