-- A cancel at the end of the paid period that recur keeps itself, for a provider that can only
-- cancel at once (PayPal): the end recur cancels for, when and by whom it was asked, and the claim
-- of the job run that is cancelling it at the provider right now (so two runs or two instances
-- cancel once; a claim older than its lease belongs to a run that died and is taken over).
-- Provider reads never write these columns, so a re-read that knows nothing of the cancel keeps it.
ALTER TABLE subscriptions
  ADD COLUMN recur_cancel_at timestamptz,
  ADD COLUMN recur_cancel_requested_at timestamptz,
  ADD COLUMN recur_cancel_requested_by text,
  ADD COLUMN recur_cancel_claimed_at timestamptz,
  ADD CONSTRAINT subscriptions_recur_cancel_complete CHECK (
    (recur_cancel_at IS NULL) = (recur_cancel_requested_at IS NULL)
    AND (recur_cancel_at IS NULL) = (recur_cancel_requested_by IS NULL)
    AND (recur_cancel_claimed_at IS NULL OR recur_cancel_at IS NOT NULL));
-- The job finds what is due by date, never by scanning every subscription.
CREATE INDEX subscriptions_recur_cancel_idx ON subscriptions (recur_cancel_at) WHERE recur_cancel_at IS NOT NULL AND status <> 'canceled';
