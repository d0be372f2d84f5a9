-- The notice finders page through their candidates in (date, id) order and stop at a page's end,
-- so each reads only the subscriptions in its date window, never the whole table. Each index holds
-- what its finder's WHERE needs, so the window is read from the index alone (index-only scans).

-- Trial reminders and trial-ending notices: trialing subscriptions by trial end.
DROP INDEX subscriptions_trial_end_idx;
CREATE INDEX subscriptions_trial_notice_idx ON subscriptions (trial_end, id) INCLUDE (plan_id, cancel_at_period_end) WHERE status = 'trialing';

-- Renewal reminders go to one interval's plans only (yearly): leading with the plan lets the
-- finder read just those plans' periods in the window, not every active subscription's.
CREATE INDEX subscriptions_renewal_notice_idx ON subscriptions (plan_id, current_period_end, id) WHERE status = 'active' AND NOT cancel_at_period_end;

-- Dunning follow-ups: past-due subscriptions by the date they fell behind.
DROP INDEX subscriptions_past_due_idx;
CREATE INDEX subscriptions_past_due_notice_idx ON subscriptions (past_due_since, id) INCLUDE (plan_id) WHERE status = 'past_due';
