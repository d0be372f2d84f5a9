-- When the customer took the subscription, by the provider's record (Stripe: the subscription's
-- `created`; PayPal: its `create_time`): the day the contract was concluded, from which the
-- 14-day withdrawal period runs. `created_at` is only when recur first heard of it (a late
-- webhook or a reconciliation can record it days later), so it is no time of the fact.
ALTER TABLE subscriptions ADD COLUMN signed_up_at timestamptz;

-- Rows recorded before: recur's first record is the best known until the provider's next answer
-- about the subscription (an event or a reconciliation run) writes its own time here. The same
-- stands in for a provider that does not say (upsertSubscriptionState).
UPDATE subscriptions SET signed_up_at = created_at WHERE signed_up_at IS NULL;
ALTER TABLE subscriptions ALTER COLUMN signed_up_at SET NOT NULL;
