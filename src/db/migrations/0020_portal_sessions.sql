-- The customer portal (issue 15). The shop's backend asks for a link; its token is random and
-- only its SHA-256 is kept, so a copy of the database opens no portal. The first visit spends the
-- link (spent_at) and starts a browser session whose id is kept the same way.
CREATE TABLE portal_links (
  token_hash  text PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers (id),
  return_url  text NOT NULL,
  -- The page language asked for with the link; null: the customer's own.
  locale      text CHECK (locale IN ('nl', 'en')),
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  spent_at    timestamptz
);

CREATE TABLE portal_sessions (
  session_hash text PRIMARY KEY,
  customer_id  uuid NOT NULL REFERENCES customers (id),
  return_url   text NOT NULL,
  locale       text CHECK (locale IN ('nl', 'en')),
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL
);
-- Clean-up deletes by age.
CREATE INDEX portal_links_expires_idx ON portal_links (expires_at);
CREATE INDEX portal_sessions_expires_idx ON portal_sessions (expires_at);
