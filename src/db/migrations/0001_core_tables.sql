-- recur's core data model. Business timestamps have no DEFAULT: recur writes them from its
-- injected clock, so tests that move time see consistent rows.

CREATE TABLE customers (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  external_id      text NOT NULL UNIQUE,
  email            text NOT NULL,
  name             text,
  phone            text,
  locale           text NOT NULL CHECK (locale IN ('nl', 'en')),
  banned           boolean NOT NULL DEFAULT false,
  banned_reason    text,
  banned_at        timestamptz,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  CONSTRAINT customers_ban_has_reason CHECK (NOT banned OR banned_reason IS NOT NULL)
);

CREATE TABLE provider_customers (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id           uuid NOT NULL REFERENCES customers (id),
  provider              text NOT NULL CHECK (provider IN ('stripe', 'paypal')),
  provider_customer_id  text NOT NULL,
  created_at            timestamptz NOT NULL,
  UNIQUE (provider, provider_customer_id),
  UNIQUE (customer_id, provider)
);

CREATE TABLE subscriptions (
  id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id               uuid NOT NULL REFERENCES customers (id),
  provider                  text NOT NULL CHECK (provider IN ('stripe', 'paypal')),
  provider_subscription_id  text NOT NULL,
  plan_id                   text NOT NULL,
  status                    text NOT NULL CHECK (status IN ('trialing', 'active', 'past_due', 'paused', 'canceled', 'incomplete')),
  provider_status           text NOT NULL,
  trial_end                 timestamptz,
  current_period_start      timestamptz,
  current_period_end        timestamptz,
  cancel_at_period_end      boolean NOT NULL DEFAULT false,
  canceled_at               timestamptz,
  past_due_since            timestamptz,
  -- The provider's own time of the state we hold; an update carrying an older time is stale
  -- and must not overwrite this row (the version guard).
  provider_updated_at       timestamptz NOT NULL,
  created_at                timestamptz NOT NULL,
  updated_at                timestamptz NOT NULL,
  UNIQUE (provider, provider_subscription_id),
  CONSTRAINT subscriptions_period_order CHECK (current_period_end IS NULL OR current_period_start IS NULL OR current_period_end >= current_period_start)
);
CREATE INDEX subscriptions_customer_idx ON subscriptions (customer_id);
-- Notices are found by date from these partial indexes, never by scanning every customer.
CREATE INDEX subscriptions_trial_end_idx ON subscriptions (trial_end) WHERE status = 'trialing';
CREATE INDEX subscriptions_period_end_idx ON subscriptions (current_period_end) WHERE status IN ('active', 'past_due');

CREATE TABLE payments (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id            uuid NOT NULL REFERENCES customers (id),
  subscription_id        uuid REFERENCES subscriptions (id),
  provider               text NOT NULL CHECK (provider IN ('stripe', 'paypal')),
  provider_payment_id    text NOT NULL,
  kind                   text NOT NULL CHECK (kind IN ('one_time', 'subscription')),
  amount_minor           bigint NOT NULL CHECK (amount_minor >= 0),
  currency               text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount_refunded_minor  bigint NOT NULL DEFAULT 0 CHECK (amount_refunded_minor >= 0),
  status                 text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded', 'partially_refunded', 'disputed')),
  method_summary         text,
  invoice_at             timestamptz,
  provider_updated_at    timestamptz NOT NULL,
  created_at             timestamptz NOT NULL,
  updated_at             timestamptz NOT NULL,
  UNIQUE (provider, provider_payment_id),
  CONSTRAINT payments_refund_not_above_amount CHECK (amount_refunded_minor <= amount_minor)
);
CREATE INDEX payments_customer_idx ON payments (customer_id, invoice_at);
CREATE INDEX payments_subscription_idx ON payments (subscription_id);

CREATE TABLE webhook_inbox (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider             text NOT NULL CHECK (provider IN ('stripe', 'paypal', 'sendgrid', 'twilio')),
  provider_event_id    text NOT NULL,
  type                 text NOT NULL,
  payload              jsonb NOT NULL,
  status               text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processing', 'processed', 'ignored', 'failed', 'dead')),
  attempts             integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at      timestamptz,
  -- While processing: when the worker's claim lapses and a job hands the row out again.
  lease_expires_at     timestamptz,
  last_error           text,
  provider_created_at  timestamptz,
  received_at          timestamptz NOT NULL,
  processed_at         timestamptz,
  UNIQUE (provider, provider_event_id)
);
CREATE INDEX webhook_inbox_due_idx ON webhook_inbox (next_attempt_at) WHERE status IN ('received', 'failed');
CREATE INDEX webhook_inbox_lease_idx ON webhook_inbox (lease_expires_at) WHERE status = 'processing';

CREATE TABLE notification_outbox (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- e.g. trial-reminder:{subscription}:{trial_end}; deciding to notify twice inserts nothing.
  business_key         text NOT NULL UNIQUE,
  customer_id          uuid REFERENCES customers (id),
  channel              text NOT NULL CHECK (channel IN ('email', 'sms')),
  template             text NOT NULL,
  recipient            text NOT NULL,
  locale               text NOT NULL CHECK (locale IN ('nl', 'en')),
  payload              jsonb NOT NULL,
  status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'dead', 'suppressed')),
  provider_message_id  text,
  attempts             integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error           text,
  due_at               timestamptz NOT NULL,
  sent_at              timestamptz,
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL
);
CREATE INDEX notification_outbox_due_idx ON notification_outbox (due_at) WHERE status = 'pending';

CREATE TABLE audit_log (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL,
  -- who or what: api_key:{id}, webhook:{provider}:{event}, reconcile:{run}, cli
  actor      text NOT NULL,
  entity     text NOT NULL,
  entity_id  text NOT NULL,
  action     text NOT NULL,
  before     jsonb,
  after      jsonb,
  reason     text
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, at);

CREATE TABLE api_keys (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name          text NOT NULL,
  -- SHA-256 of the whole key; the key itself is shown once and never stored.
  key_hash      text NOT NULL UNIQUE,
  key_prefix    text NOT NULL,
  created_at    timestamptz NOT NULL,
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
