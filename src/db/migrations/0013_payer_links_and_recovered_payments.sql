-- One PayPal payer may pay for several recur customers (a parent paying for two children's
-- accounts): a PayPal subscription names its recur customer in custom_id, and each recur customer
-- keeps its own link to the payer. A Stripe customer object still belongs to exactly one recur
-- customer: the link stays unique for every provider but PayPal.
ALTER TABLE provider_customers DROP CONSTRAINT provider_customers_provider_provider_customer_id_key;
CREATE UNIQUE INDEX provider_customers_one_owner ON provider_customers (provider, provider_customer_id) WHERE provider <> 'paypal';
CREATE INDEX provider_customers_by_provider_customer ON provider_customers (provider, provider_customer_id, created_at);

-- Reconciliation records payments the webhooks never brought, and moves on those they left behind
-- (a provider without an events list: each subscription's transactions are read): two item kinds.
ALTER TABLE reconciliation_items DROP CONSTRAINT reconciliation_items_kind_check;
ALTER TABLE reconciliation_items ADD CONSTRAINT reconciliation_items_kind_check
  CHECK (kind IN ('missing_locally', 'missing_at_provider', 'stale_status', 'stale_period', 'stale_plan', 'stale_cancel_flag',
                  'email_mismatch', 'several_live_subscriptions', 'not_recorded', 'event_recovered', 'stale_past_due_since',
                  'missing_payment', 'stale_payment'));
