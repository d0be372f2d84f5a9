-- When recur recorded a subscription set to cancel at period end going back to renewing (a
-- resume). A cancel link issued before that no longer applies: the customer (or the shop for them)
-- chose to keep the subscription after the notice was sent.
ALTER TABLE subscriptions ADD COLUMN resumed_at timestamptz;
