-- The customer portal's plan picker (issue 15): what a customer agreed to before a checkout. The
-- card networks ask that the trial terms (trial length, the price after it, the date of the first
-- charge, how to cancel) are stated before payment and agreed to explicitly; this row is the proof
-- of what was stated, in the words shown, and when the customer ticked the box.
CREATE TABLE checkout_consents (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id         uuid NOT NULL REFERENCES customers (id),
  -- The checkout the consent came with (checkout_sessions holds the same pair).
  provider            text NOT NULL CHECK (provider IN ('stripe', 'paypal')),
  provider_session_id text NOT NULL,
  plan_id             text NOT NULL,
  -- Which wording of the terms was shown (a change of words is a new version), in which language,
  -- and the words themselves as the customer read them.
  terms_version       text NOT NULL,
  locale              text NOT NULL CHECK (locale IN ('nl', 'en')),
  terms_text          text NOT NULL,
  -- The facts the words state, as numbers: the trial granted, the price after it, what is due at
  -- checkout, and when the first charge falls.
  trial_days          integer NOT NULL CHECK (trial_days >= 0),
  price_minor         bigint NOT NULL CHECK (price_minor >= 0),
  currency            text NOT NULL,
  billing_interval    text NOT NULL CHECK (billing_interval IN ('month', 'year')),
  due_today_minor     bigint NOT NULL CHECK (due_today_minor >= 0),
  first_charge_at     timestamptz NOT NULL,
  consented_at        timestamptz NOT NULL,
  UNIQUE (provider, provider_session_id)
);
CREATE INDEX checkout_consents_customer_idx ON checkout_consents (customer_id, consented_at);

-- Proof that can be edited proves nothing: a consent is written once and never changed or removed.
CREATE FUNCTION refuse_checkout_consent_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'checkout consents are immutable (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER checkout_consents_immutable BEFORE UPDATE OR DELETE ON checkout_consents
  FOR EACH ROW EXECUTE FUNCTION refuse_checkout_consent_change();
