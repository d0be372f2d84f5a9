-- Idempotency keys of the API (issue 14): the first answer to a POST sent with an Idempotency-Key
-- is kept, per API key, so that a retry gets it again instead of doing the work twice.
--
-- Only answers are kept (status, content-type and location, the body as sent), never the
-- request's headers or body: the request is known by a SHA-256 of its method, path and canonical
-- body, enough to tell "the same request again" from "another request with this key".
CREATE TABLE idempotency_keys (
  api_key_id          uuid NOT NULL REFERENCES api_keys (id),
  idempotency_key     text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
  request_fingerprint text NOT NULL,
  -- Which request holds the key now; only its holder may record the answer or let the key go.
  claim_token         uuid NOT NULL,
  status              text NOT NULL CHECK (status IN ('in_progress', 'completed')),
  -- While in progress: after this, the holder is taken for dead and a retry may do the work.
  locked_until        timestamptz,
  response_status     integer,
  response_headers    jsonb,
  response_body       text,
  created_at          timestamptz NOT NULL,
  expires_at          timestamptz NOT NULL,
  PRIMARY KEY (api_key_id, idempotency_key),
  CHECK (status = 'completed' OR locked_until IS NOT NULL),
  CHECK (status = 'in_progress' OR response_status IS NOT NULL)
);
-- The clean-up job deletes by age.
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
