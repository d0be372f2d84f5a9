-- The shop's webhook endpoints and the delivery of outgoing_events to them (issue 14).
--
-- Signing secrets are stored sealed (AES-256-GCM under a key derived from the link-signing key,
-- which lives outside the database: ADR 0028): a dump of this table alone does not let anyone sign
-- as recur. The previous secret is kept, with its expiry, while both are sent during a rotation.
CREATE TABLE webhook_endpoints (
  id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  url                       text NOT NULL,
  -- Event type names, or the one element '*' for every type.
  event_types               text[] NOT NULL CHECK (cardinality(event_types) > 0),
  description               text,
  enabled                   boolean NOT NULL DEFAULT true,
  secret_sealed             text NOT NULL,
  previous_secret_sealed    text,
  previous_secret_expires_at timestamptz,
  -- Failed attempts since the last success, and the time of the first of them: the endpoint is
  -- disabled once its deliveries have failed for WEBHOOK_DISABLE_AFTER_FAILED_DAYS days in a row.
  consecutive_failures      integer NOT NULL DEFAULT 0,
  failing_since             timestamptz,
  disabled_reason           text,
  created_at                timestamptz NOT NULL,
  updated_at                timestamptz NOT NULL
);

-- Fan-out takes each event once: the rows not yet fanned out, oldest first.
ALTER TABLE outgoing_events ADD COLUMN fanned_out_at timestamptz;
UPDATE outgoing_events SET fanned_out_at = created_at;
CREATE INDEX outgoing_events_fan_out_idx ON outgoing_events (created_at, id) WHERE fanned_out_at IS NULL;

-- One row per event and endpoint (and one more per replay). A replayed event keeps its id, so the
-- receiver sees the same webhook-id it may have seen before.
CREATE TABLE webhook_deliveries (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id         text NOT NULL REFERENCES outgoing_events (id),
  -- 'fan-out' for the live delivery (once per event and endpoint), 'replay' for each replay.
  origin           text NOT NULL CHECK (origin IN ('fan-out', 'replay')),
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivering', 'succeeded', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz,
  -- After this the next failed attempt is the last: the row is failed (3 days after it was made).
  give_up_at       timestamptz NOT NULL,
  lease_token      uuid,
  lease_expires_at timestamptz,
  last_status_code integer,
  last_error       text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE UNIQUE INDEX webhook_deliveries_fan_out_once ON webhook_deliveries (endpoint_id, event_id) WHERE origin = 'fan-out';
-- Claims: due rows per endpoint; lapsed leases.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_delivering_idx ON webhook_deliveries (endpoint_id, lease_expires_at) WHERE status = 'delivering';
-- The delivery log, newest first.
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);

CREATE TABLE webhook_delivery_attempts (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id   uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  -- Null when no answer came (refused target, connection error, timeout).
  status_code   integer,
  latency_ms    integer NOT NULL,
  -- The first bytes of the answer, capped; never the request.
  response_excerpt text,
  error         text,
  attempted_at  timestamptz NOT NULL
);
CREATE INDEX webhook_delivery_attempts_delivery_idx ON webhook_delivery_attempts (delivery_id, id);
