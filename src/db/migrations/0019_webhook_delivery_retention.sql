-- The daily clean-up of old webhook deliveries and events (WEBHOOK_DELIVERY_RETENTION_DAYS).
--
-- Finished deliveries by the time they last changed: the clean-up reads the oldest first and never
-- looks at a pending or delivering row.
CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (updated_at) WHERE status IN ('succeeded', 'failed');
-- Whether an event still has a delivery: asked for every event the clean-up would delete, and by
-- the foreign key's own check on each delete (without it, a scan of every delivery per event).
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);
