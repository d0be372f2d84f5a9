-- The admin dashboard's staff (issue 15): accounts with a password, and sessions in the database
-- so that any recur process of a deployment knows a signed-in browser.
--
-- A password is stored as scrypt's output with its own random salt and cost
-- (`scrypt$N$r$p$salt$hash`, docs/adr/0033-admin-sign-in.md); the password itself never.
CREATE TABLE admin_users (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Lower case: `Anna` and `anna` are one person.
  username       text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{0,63}$'),
  password_hash  text NOT NULL,
  created_at     timestamptz NOT NULL
);

-- The cookie holds a random id; only its SHA-256 is stored, so a read of this table signs no one in.
-- A session belongs to a user, or to the admin API key that was used to sign in (revoking the key
-- ends its sessions).
CREATE TABLE admin_sessions (
  id_hash        text PRIMARY KEY,
  admin_user_id  uuid REFERENCES admin_users (id) ON DELETE CASCADE,
  api_key_id     uuid REFERENCES api_keys (id),
  -- Bound to this session: every form of the session carries it, and a POST without it is refused.
  csrf_token     text NOT NULL,
  created_at     timestamptz NOT NULL,
  last_seen_at   timestamptz NOT NULL,
  -- The latest a session can live however busy it is; idleness ends it sooner (ADMIN_SESSION_IDLE_MINUTES).
  expires_at     timestamptz NOT NULL,
  CONSTRAINT admin_sessions_one_owner CHECK ((admin_user_id IS NULL) <> (api_key_id IS NULL))
);
CREATE INDEX admin_sessions_expires_idx ON admin_sessions (expires_at);
CREATE INDEX admin_sessions_last_seen_idx ON admin_sessions (last_seen_at);
