-- Fraud and dispute policies. The webhook transaction records the fact (a dispute row, a failed
-- payment) and queues a job; the job performs each step once. A step is a row in risk_actions
-- under a unique key, so a retried job or a duplicated event finds it done and does nothing.

-- When a customer last opened a dispute (marked, not banned: a dispute is not proof of fraud).
ALTER TABLE customers ADD COLUMN disputed_at timestamptz;

CREATE TABLE disputes (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  provider             text NOT NULL CHECK (provider IN ('stripe', 'paypal')),
  provider_dispute_id  text NOT NULL,
  customer_id          uuid NOT NULL REFERENCES customers (id),
  payment_id           uuid REFERENCES payments (id),
  provider_charge_id   text,
  amount_minor         bigint NOT NULL CHECK (amount_minor >= 0),
  currency             text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  reason               text,
  -- The provider's status (needs_response, under_review, won, lost, warning_closed, ...).
  status               text NOT NULL,
  -- The policy the job applied ('accept' closes it at the provider, 'hold' keeps it open for evidence).
  policy               text CHECK (policy IN ('accept', 'hold')),
  evidence_due_by      timestamptz,
  -- Set once, when the provider closes it: won, lost, warning_closed.
  outcome              text,
  opened_at            timestamptz NOT NULL,
  closed_at            timestamptz,
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  UNIQUE (provider, provider_dispute_id)
);
CREATE INDEX disputes_customer_idx ON disputes (customer_id);

CREATE TABLE risk_actions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- fraud:ban:{customer}, fraud:refund:{charge}, cancel:{subscription}:fraud, dispute:accept:{dispute}, ...
  step_key     text NOT NULL UNIQUE,
  customer_id  uuid NOT NULL REFERENCES customers (id),
  action       text NOT NULL,
  detail       jsonb NOT NULL,
  done_at      timestamptz NOT NULL
);
CREATE INDEX risk_actions_customer_idx ON risk_actions (customer_id);
