-- Checkout sessions recur opened at a provider, so the post-checkout redirect can check that a
-- session id is one recur made for that customer, and knows where the shop wants its customer back.
CREATE TABLE checkout_sessions (
  provider             text NOT NULL CHECK (provider IN ('stripe', 'paypal')),
  provider_session_id  text NOT NULL,
  customer_id          uuid NOT NULL REFERENCES customers (id),
  plan_id              text NOT NULL,
  return_url           text NOT NULL,
  status               text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'complete', 'expired')),
  subscription_id      uuid REFERENCES subscriptions (id),
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  PRIMARY KEY (provider, provider_session_id)
);
CREATE INDEX checkout_sessions_customer_idx ON checkout_sessions (customer_id, created_at);
