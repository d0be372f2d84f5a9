import type pg from 'pg';

/**
 * One customer per subscription, both with deterministic ids (version-4 shaped, as the API's
 * schemas expect). Of every 100 subscriptions: 88 active (a quarter yearly, periods
 * ending evenly over their interval, 5 of them cancelling at period end), 4 trialing (trials
 * ending over the next 30 days), 2 past due (since up to 20 days), 6 cancelled.
 */
const UUID_FUNCTION = `CREATE OR REPLACE FUNCTION pg_temp.bench_uuid(seed text) RETURNS uuid LANGUAGE sql IMMUTABLE AS
  $$ SELECT overlay(overlay(md5(seed) PLACING '4' FROM 13) PLACING '8' FROM 17)::uuid $$`;

const SEED = `
INSERT INTO customers (id, external_id, email, locale, created_at, updated_at)
  SELECT pg_temp.bench_uuid('c' || n), 'shop-' || n, 'customer' || n || '@example.nl', CASE WHEN n % 3 = 0 THEN 'en' ELSE 'nl' END, $1::timestamptz - interval '400 days', $1::timestamptz - interval '400 days'
  FROM generate_series(1, $2::int) AS n;
INSERT INTO subscriptions (id, customer_id, provider, provider_subscription_id, plan_id, status, provider_status,
    trial_end, current_period_start, current_period_end, cancel_at_period_end, canceled_at, past_due_since, provider_updated_at, created_at, updated_at, signed_up_at)
  SELECT pg_temp.bench_uuid('s' || n), pg_temp.bench_uuid('c' || n), 'stripe', 'sub_bench_' || n, plan, status, status,
    CASE WHEN status = 'trialing' THEN period_end END, period_end - length, period_end,
    status = 'active' AND n % 100 < 5, CASE WHEN status = 'canceled' THEN $1::timestamptz - interval '10 days' END,
    CASE WHEN status = 'past_due' THEN $1::timestamptz - (n % 20) * interval '1 day' - interval '1 hour' END,
    $1::timestamptz - interval '1 day', $1::timestamptz - interval '400 days', $1::timestamptz - interval '1 day', $1::timestamptz - interval '400 days'
  FROM (
    SELECT n, status, plan, length,
      CASE WHEN status = 'trialing' THEN $1::timestamptz + (random() * 30) * interval '1 day'
           WHEN status IN ('past_due', 'canceled') THEN $1::timestamptz - interval '1 day'
           ELSE $1::timestamptz + random() * length END AS period_end
    FROM (
      SELECT n,
        CASE WHEN n % 100 < 88 THEN 'active' WHEN n % 100 < 92 THEN 'trialing' WHEN n % 100 < 94 THEN 'past_due' ELSE 'canceled' END AS status,
        CASE WHEN n % 4 = 0 THEN 'yearly' ELSE 'monthly' END AS plan,
        CASE WHEN n % 4 = 0 THEN interval '365 days' ELSE interval '30 days' END AS length
      FROM generate_series(1, $2::int) AS n
    ) AS mix
  ) AS dated;
`;

/**
 * Seeds `count` customers and subscriptions (the mix above) around `now`, then vacuums them as
 * autovacuum would have long since done on tables this old (the planner's statistics, and the
 * visibility map that lets an index-only scan skip the rows).
 */
export async function seedSubscriptions(client: pg.Client, now: Date, count: number): Promise<void> {
  await client.query(UUID_FUNCTION);
  for (const statement of SEED.split(';').map((text) => text.trim()).filter(Boolean)) await client.query(statement, [now, count]);
  await client.query('VACUUM ANALYZE');
}
