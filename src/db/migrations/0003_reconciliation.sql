-- Reconciliation: one row per run (what it counted), one row per thing it found (the drift
-- report), and per provider the point up to which its events list has been read into the inbox.

CREATE TABLE reconciliation_runs (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  provider     text NOT NULL CHECK (provider IN ('stripe', 'paypal')),
  trigger      text NOT NULL CHECK (trigger IN ('schedule', 'cli')),
  status       text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
  -- per item kind, e.g. {"stale_period": 1, "event_recovered": 4}
  counts       jsonb NOT NULL,
  -- requests sent to the provider (list pages, re-reads of drifted objects, repairs)
  requests     integer NOT NULL CHECK (requests >= 0),
  error        text,
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz
);
-- Two runs against one provider never overlap, whichever process (job, CLI) starts them.
CREATE UNIQUE INDEX reconciliation_runs_one_running_idx ON reconciliation_runs (provider) WHERE status = 'running';
CREATE INDEX reconciliation_runs_started_idx ON reconciliation_runs (started_at DESC, id DESC);

CREATE TABLE reconciliation_items (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id              uuid NOT NULL REFERENCES reconciliation_runs (id),
  kind                text NOT NULL CHECK (kind IN ('missing_locally', 'missing_at_provider', 'stale_status', 'stale_period', 'stale_plan',
                                                    'stale_cancel_flag', 'email_mismatch', 'several_live_subscriptions', 'not_recorded', 'event_recovered')),
  provider_object_id  text NOT NULL,
  -- recur's subscription or customer id, when recur has one
  recur_id            text,
  found               jsonb NOT NULL,
  action              text NOT NULL,
  created_at          timestamptz NOT NULL
);
CREATE INDEX reconciliation_items_run_idx ON reconciliation_items (run_id, id);

CREATE TABLE provider_event_cursors (
  provider             text PRIMARY KEY CHECK (provider IN ('stripe', 'paypal')),
  -- the newest event known to be stored in webhook_inbox; the next read starts at its second
  last_event_id        text NOT NULL,
  last_event_created   timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL
);
