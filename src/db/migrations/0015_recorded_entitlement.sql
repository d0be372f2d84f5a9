-- The entitlement recur last told the shop about (entitlement.changed), per customer: a change is
-- recorded when a decision differs from it. NULL: nothing recorded yet, which reads as "not
-- entitled, no subscription" (a new customer's state, so creating one records no change).
ALTER TABLE customers ADD COLUMN recorded_entitlement jsonb;
-- When the recorded entitlement ends unless something renews it (the trial's end, the end of the
-- past-due grace or of prepaid time): the job that records time-driven changes looks here.
ALTER TABLE customers ADD COLUMN recorded_entitlement_until timestamptz;
CREATE INDEX customers_recorded_entitlement_until_idx ON customers (recorded_entitlement_until) WHERE recorded_entitlement_until IS NOT NULL;
