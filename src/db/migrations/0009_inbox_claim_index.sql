-- The claim takes the oldest due rows: ORDER BY id LIMIT n among those received or failed. The
-- index it had was keyed by next_attempt_at, so with a backlog the claim read every due row and
-- sorted them, once per batch. Keyed by id, it reads the first n in order and stops. Same count of
-- indexes on insert (primary key, the unique event key, this one); next_attempt_at is a filter
-- (only failed rows waiting for a retry have one, and they are few).
DROP INDEX IF EXISTS webhook_inbox_due_idx;
CREATE INDEX webhook_inbox_due_idx ON webhook_inbox (id) WHERE status IN ('received', 'failed');
