-- Time a customer paid for once, without auto-renew (a one-time checkout: 1, 3, 12 months...).
-- One row per provider payment: the checkout return, its webhook and reconciliation can each
-- record the same purchase, and the unique key makes that one row whoever comes first.
CREATE TABLE prepaid_periods (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id          uuid NOT NULL REFERENCES customers (id),
  provider             text NOT NULL CHECK (provider IN ('stripe', 'paypal')),
  provider_payment_id  text NOT NULL,
  payment_id           uuid NOT NULL REFERENCES payments (id),
  plan_id              text NOT NULL,
  interval             text NOT NULL CHECK (interval IN ('month', 'year')),
  periods              integer NOT NULL CHECK (periods >= 1),
  starts_at            timestamptz NOT NULL,
  ends_at              timestamptz NOT NULL,
  amount_minor         bigint NOT NULL CHECK (amount_minor >= 0),
  currency             text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  created_at           timestamptz NOT NULL,
  UNIQUE (provider, provider_payment_id),
  CONSTRAINT prepaid_periods_order CHECK (ends_at > starts_at)
);
CREATE INDEX prepaid_periods_customer_idx ON prepaid_periods (customer_id, ends_at);
