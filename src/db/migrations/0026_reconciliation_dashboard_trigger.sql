-- A run started from the admin dashboard says so; it was recorded as `cli` before. Runs started
-- there before this migration stay `cli`: their audit entry names the admin who started them.
ALTER TABLE reconciliation_runs DROP CONSTRAINT reconciliation_runs_trigger_check;
ALTER TABLE reconciliation_runs ADD CONSTRAINT reconciliation_runs_trigger_check CHECK (trigger IN ('schedule', 'cli', 'dashboard'));
