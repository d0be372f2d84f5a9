-- Notifications: who may be texted and when, and the outbox as the only way anything is sent.

-- The customer's IANA time zone for dates in notices and SMS quiet hours; null: DEFAULT_TIME_ZONE.
ALTER TABLE customers ADD COLUMN time_zone text;
-- SMS only with recorded consent. Consent counts while it is newer than any withdrawal; a Twilio
-- STOP (21610) records a withdrawal, and the customer giving consent again records a new consent.
ALTER TABLE customers ADD COLUMN sms_consent_at timestamptz;
ALTER TABLE customers ADD COLUMN sms_consent_withdrawn_at timestamptz;

-- Dunning follow-ups are found from past-due subscriptions by date, not by scanning them all.
CREATE INDEX subscriptions_past_due_idx ON subscriptions (past_due_since) WHERE status = 'past_due';

-- 'canceled': no longer wanted before it was sent (dunning once the invoice is paid).
ALTER TABLE notification_outbox DROP CONSTRAINT notification_outbox_status_check;
ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_status_check
  CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'dead', 'suppressed', 'canceled'));

-- The subscription (or payment) a customer notice is about, for the still-wanted check and lists.
ALTER TABLE notification_outbox ADD COLUMN subscription_id uuid REFERENCES subscriptions (id);
-- While 'sending': which worker holds the row and until when. A row whose claim lapsed was being
-- sent by a worker that stopped; it is checked with the provider before it is sent again.
ALTER TABLE notification_outbox ADD COLUMN claim_token uuid;
ALTER TABLE notification_outbox ADD COLUMN claimed_at timestamptz;
ALTER TABLE notification_outbox ADD COLUMN claim_expires_at timestamptz;
-- The provider's last word on delivery (delivered, bounce, dropped, undelivered, ...), from callbacks.
ALTER TABLE notification_outbox ADD COLUMN delivery_status text;
ALTER TABLE notification_outbox ADD COLUMN delivery_detail text;
ALTER TABLE notification_outbox ADD COLUMN delivery_updated_at timestamptz;
-- Permanent failures carry the provider's code (21610, invalid address, ...).
ALTER TABLE notification_outbox ADD COLUMN error_code text;

CREATE INDEX notification_outbox_claim_idx ON notification_outbox (claim_expires_at) WHERE status = 'sending';
CREATE INDEX notification_outbox_customer_idx ON notification_outbox (customer_id, created_at);
CREATE INDEX notification_outbox_subscription_idx ON notification_outbox (subscription_id) WHERE status = 'pending';
CREATE INDEX notification_outbox_provider_message_idx ON notification_outbox (provider_message_id);

-- Secrets recur makes for itself when none is configured (the key that signs cancel links), so
-- that every process of one deployment signs and checks with the same key.
CREATE TABLE service_secrets (
  name        text PRIMARY KEY,
  secret      text NOT NULL,
  created_at  timestamptz NOT NULL
);
