-- What a key may do (issue 14): `read` keys only read (entitlement, customers, subscriptions,
-- plans); `admin` keys do everything. Keys made before scopes existed could do everything, and
-- keep doing so: the default fills them with admin.
ALTER TABLE api_keys ADD COLUMN scope text NOT NULL DEFAULT 'admin' CHECK (scope IN ('read', 'admin'));
