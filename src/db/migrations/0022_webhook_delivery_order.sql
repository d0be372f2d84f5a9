-- Each endpoint's next delivery, read in order from an index instead of sorting every pending one.
--
-- A claim takes, per endpoint, the due delivery of the oldest event (its recording time, then its
-- sequence). That order lived on the event, so every claim joined all pending deliveries to their
-- events and sorted them: 133 ms for one row with 20,000 pending (bench:outgoing), a backlog drained
-- in quadratic time. The event's time and sequence never change, so the delivery carries them, and
-- a partial index over the rows still to deliver serves the claim's order per endpoint.
ALTER TABLE webhook_deliveries ADD COLUMN event_created_at timestamptz, ADD COLUMN event_sequence bigint;
UPDATE webhook_deliveries d SET event_created_at = e.created_at, event_sequence = e.sequence FROM outgoing_events e WHERE e.id = d.event_id;
ALTER TABLE webhook_deliveries ALTER COLUMN event_created_at SET NOT NULL, ALTER COLUMN event_sequence SET NOT NULL;
CREATE INDEX webhook_deliveries_next_idx ON webhook_deliveries (endpoint_id, next_attempt_at, event_created_at, event_sequence) WHERE status IN ('pending', 'delivering');
