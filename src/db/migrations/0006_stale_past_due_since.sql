-- Reconciliation compares past_due_since with the provider's fact too: one more item kind.
ALTER TABLE reconciliation_items DROP CONSTRAINT reconciliation_items_kind_check;
ALTER TABLE reconciliation_items ADD CONSTRAINT reconciliation_items_kind_check
  CHECK (kind IN ('missing_locally', 'missing_at_provider', 'stale_status', 'stale_period', 'stale_plan', 'stale_cancel_flag',
                  'email_mismatch', 'several_live_subscriptions', 'not_recorded', 'event_recovered', 'stale_past_due_since'));
