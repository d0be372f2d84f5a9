-- SEPA Direct Debit (and iDEAL or Bancontact, which set one up for the renewals). A debit is
-- 'processing' for days before the bank answers, and may still fail then: a state of its own,
-- neither pending (nothing asked yet) nor succeeded.
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check
  CHECK (status IN ('pending', 'processing', 'succeeded', 'failed', 'refunded', 'partially_refunded', 'disputed'));

-- What paid: the provider's kind of payment method (card, sepa_debit, ideal, bancontact, paypal, ...),
-- and for a debit the reference of the mandate it was taken under, as the provider holds it.
ALTER TABLE payments ADD COLUMN method_type text;
ALTER TABLE payments ADD COLUMN mandate_reference text;

-- The mandate the subscription's debits are taken under, from the provider's answer (the checkout
-- that set it up, or the latest debit). Pre-notifications of a debit state it (SEPA rulebook).
ALTER TABLE subscriptions ADD COLUMN mandate_reference text;
