-- Events recur tells the shop about (issue 14), written in the transaction of the change that
-- causes them, like notices. Delivery to the shop's endpoints is another table's (per endpoint).
--
-- Each customer's events are numbered 1, 2, 3, ... in the order recur committed them: a receiver
-- keeps the highest sequence it has seen per customer and drops anything older, whatever order the
-- deliveries arrive in. The counter lives on the customer row, which the writer locks.
ALTER TABLE customers ADD COLUMN event_sequence bigint NOT NULL DEFAULT 0;

CREATE TABLE outgoing_events (
  -- The Standard Webhooks message id (webhook-id), the same on every attempt and replay.
  id            text PRIMARY KEY DEFAULT ('evt_' || replace(gen_random_uuid()::text, '-', '')),
  type          text NOT NULL,
  customer_id   uuid NOT NULL REFERENCES customers (id),
  sequence      bigint NOT NULL CHECK (sequence > 0),
  -- One decision, one key (e.g. payment.succeeded:{payment}): deciding again inserts nothing.
  business_key  text NOT NULL UNIQUE,
  -- The full current object the event is about, as the API presents it.
  data          jsonb NOT NULL,
  -- The time of the fact (the provider's, where it has one), not of the message that told recur.
  occurred_at   timestamptz NOT NULL,
  created_at    timestamptz NOT NULL,
  UNIQUE (customer_id, sequence)
);
-- Fan-out and replay read events in commit order from a point in time.
CREATE INDEX outgoing_events_created_idx ON outgoing_events (created_at, id);
