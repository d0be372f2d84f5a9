-- Refunds recur asks a provider for (issue 15: the admin's refund, the API's, a withdrawal's).
-- The row is written before the provider is called, under a unique business key (request_key):
-- a double click, a retry or a second process finds the row and calls the provider again with the
-- same idempotency key (derived from the row's id), so the money goes back once. Its status and the
-- provider's refund id come from the provider's answer, never from the request.
CREATE TABLE refunds (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The order they were asked for in: recur's clock may not move between two of them.
  seq                bigint GENERATED ALWAYS AS IDENTITY,
  payment_id         uuid NOT NULL REFERENCES payments (id),
  request_key        text NOT NULL,
  provider           text NOT NULL CHECK (provider IN ('stripe', 'paypal')),
  amount_minor       bigint NOT NULL CHECK (amount_minor > 0),
  currency           text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  reason             text NOT NULL,
  actor              text NOT NULL,
  status             text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  provider_refund_id text,
  -- What the provider said when it refused (status failed).
  failure            text,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  CONSTRAINT refunds_request_key_unique UNIQUE (request_key),
  CONSTRAINT refunds_provider_refund_unique UNIQUE (provider, provider_refund_id)
);
CREATE INDEX refunds_payment_idx ON refunds (payment_id, seq);

-- A customer's withdrawal from a subscription within 14 days of signing up (EU 2023/2673, Art. 11a):
-- once per subscription, with the time it was made, which the acknowledgement states.
CREATE TABLE withdrawals (
  subscription_id uuid PRIMARY KEY REFERENCES subscriptions (id),
  customer_id     uuid NOT NULL REFERENCES customers (id),
  withdrawn_at    timestamptz NOT NULL,
  actor           text NOT NULL,
  -- The shop's policy when it was made: full, prorated or none.
  refund_policy   text NOT NULL CHECK (refund_policy IN ('full', 'prorated', 'none'))
);
