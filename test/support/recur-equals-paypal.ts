import { defaultPaypalCredentials } from '../../sandbox/paypal/paypal-sandbox.ts';
import type { Database } from '../../src/db/database.ts';

type PaypalSubscription = {
  id: string;
  plan_id: string;
  status: string;
  custom_id?: string;
  status_update_time?: string;
  billing_info?: {
    next_billing_time?: string;
    failed_payments_count?: number;
    cycle_executions?: { tenure_type: string; cycles_completed?: number }[];
  };
};
type PaypalTransaction = { id: string; status: string; time: string; amount_with_breakdown: { gross_amount: { value: string; currency_code: string } } };

/** PayPal's answer as recur must have recorded it: the words recur keeps (ADR 0024) and the facts with PayPal's own dates. */
const RECUR_STATUS: Record<string, string> = {
  'ACTIVE:TRIAL': 'trialing',
  ACTIVE: 'active',
  'ACTIVE:PAYMENT_FAILED': 'past_due',
  'SUSPENDED:PAYMENT_FAILED': 'past_due',
  SUSPENDED: 'paused',
  CANCELLED: 'canceled',
  EXPIRED: 'canceled',
};
const PAYMENT_STATUS: Record<string, string> = { COMPLETED: 'succeeded', REFUNDED: 'refunded', PARTIALLY_REFUNDED: 'partially_refunded', DECLINED: 'failed', FAILED: 'failed', REVERSED: 'disputed' };

const iso = (text: string | null | undefined): string | null => (text ? new Date(text).toISOString() : null);
const minorOf = (value: string): number => Math.round(Number(value) * 100);

/** A small REST client of the PayPal sandbox, as a shop's back office would read PayPal. */
export function paypalRest(sandboxUrl: string) {
  let token: string | null = null;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    if (!token) {
      const basic = Buffer.from(`${defaultPaypalCredentials.clientId}:${defaultPaypalCredentials.clientSecret}`).toString('base64');
      const grant = await fetch(`${sandboxUrl}/paypal/v1/oauth2/token`, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
      token = ((await grant.json()) as { access_token: string }).access_token;
    }
    const response = await fetch(`${sandboxUrl}/paypal${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} at the PayPal sandbox: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
  return { call };
}

/**
 * recur's PayPal subscriptions and payments of `customers` (from its database: past_due_since is
 * not in the API) beside PayPal's (through PayPal's REST API: subscriptions per plan, each with its
 * transactions: amount, currency, status and PayPal's time), in one shape, so a test can
 * `expect(recur).toEqual(paypal)`.
 */
export async function recurAndPaypal(sandboxUrl: string, db: Database, customers: string[]) {
  const { call } = paypalRest(sandboxUrl);
  const owners = await db.query<{ id: string; external_id: string }>('SELECT id, external_id FROM customers WHERE external_id = ANY($1::text[])', [customers]);
  const externalOf = new Map(owners.rows.map((row) => [row.id, row.external_id]));
  // recur's catalogue: one PayPal plan per recur plan, monthly or yearly by its regular cycle.
  const planNames = new Map<string, string>();
  const planOf = async (planId: string): Promise<string> => {
    if (!planNames.has(planId)) {
      const plan = await call<{ billing_cycles: { tenure_type: string; frequency: { interval_unit: string } }[] }>('GET', `/v1/billing/plans/${planId}`);
      const unit = plan.billing_cycles.find((cycle) => cycle.tenure_type === 'REGULAR')?.frequency.interval_unit;
      planNames.set(planId, unit === 'YEAR' ? 'yearly' : unit === 'MONTH' ? 'monthly' : `unknown ${unit}`);
    }
    return planNames.get(planId)!;
  };

  const listed: PaypalSubscription[] = [];
  for (let page = 1; ; page++) {
    const answer = await call<{ subscriptions?: PaypalSubscription[]; total_pages?: number }>('GET', `/v1/billing/subscriptions?page_size=20&page=${page}`);
    listed.push(...(answer.subscriptions ?? []));
    if (page >= (answer.total_pages ?? 1)) break;
  }
  const paypal = { subscriptions: [] as Record<string, unknown>[], payments: [] as Record<string, unknown>[] };
  for (const summary of listed) {
    const subscription = await call<PaypalSubscription>('GET', `/v1/billing/subscriptions/${summary.id}`);
    const owner = subscription.custom_id ? externalOf.get(subscription.custom_id) : undefined;
    if (!owner) continue;
    const billing = subscription.billing_info ?? {};
    const inTrial = billing.cycle_executions?.some((cycle) => cycle.tenure_type === 'TRIAL') === true && (billing.cycle_executions.find((cycle) => cycle.tenure_type === 'REGULAR')?.cycles_completed ?? 0) === 0;
    const failing = (billing.failed_payments_count ?? 0) > 0;
    const word = subscription.status === 'ACTIVE' && failing ? 'ACTIVE:PAYMENT_FAILED' : subscription.status === 'ACTIVE' && inTrial ? 'ACTIVE:TRIAL' : subscription.status === 'SUSPENDED' && failing ? 'SUSPENDED:PAYMENT_FAILED' : subscription.status;
    const { transactions } = await call<{ transactions: PaypalTransaction[] }>('GET', `/v1/billing/subscriptions/${subscription.id}/transactions?start_time=2000-01-01T00:00:00Z&end_time=2100-01-01T00:00:00Z`);
    const ordered = [...transactions].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    // The first failure since the last payment that went through: when the incident began.
    const lastPaid = ordered.map((transaction) => transaction.status).lastIndexOf('COMPLETED');
    const firstFailure = RECUR_STATUS[word] === 'past_due' ? ordered.slice(lastPaid + 1).find((transaction) => PAYMENT_STATUS[transaction.status] === 'failed') : undefined;
    const ended = subscription.status === 'CANCELLED' || subscription.status === 'EXPIRED';
    paypal.subscriptions.push({
      customer: owner,
      provider_subscription_id: subscription.id,
      plan: await planOf(subscription.plan_id),
      status: RECUR_STATUS[word] ?? `unmapped ${word}`,
      provider_status: word,
      current_period_end: iso(billing.next_billing_time),
      past_due_since: iso(firstFailure?.time),
      canceled_at: ended ? iso(subscription.status_update_time) : null,
    });
    for (const transaction of ordered) {
      const gross = transaction.amount_with_breakdown.gross_amount;
      paypal.payments.push({ customer: owner, provider_payment_id: transaction.id, amount_minor: minorOf(gross.value), currency: gross.currency_code, status: PAYMENT_STATUS[transaction.status] ?? 'pending', at: iso(transaction.time) });
    }
  }

  const subscriptions = await db.query<Record<string, unknown>>(
    `SELECT c.external_id AS customer, s.provider_subscription_id, s.plan_id AS plan, s.status, s.provider_status, s.current_period_end, s.past_due_since, s.canceled_at
       FROM subscriptions s JOIN customers c ON c.id = s.customer_id
      WHERE s.provider = 'paypal' AND c.external_id = ANY($1::text[])`,
    [customers],
  );
  const payments = await db.query<Record<string, unknown>>(
    `SELECT c.external_id AS customer, p.provider_payment_id, p.amount_minor::int AS amount_minor, p.currency, p.status, p.invoice_at AS at
       FROM payments p JOIN customers c ON c.id = p.customer_id
      WHERE p.provider = 'paypal' AND c.external_id = ANY($1::text[])`,
    [customers],
  );
  const dateText = (value: unknown) => (value instanceof Date ? value.toISOString() : value === null ? null : new Date(String(value)).toISOString());
  const recur = {
    subscriptions: subscriptions.rows.map((row) => ({ ...row, current_period_end: dateText(row.current_period_end), past_due_since: dateText(row.past_due_since), canceled_at: dateText(row.canceled_at) })),
    payments: payments.rows.map((row) => ({ ...row, at: dateText(row.at) })),
  };
  const byId = (key: string) => (a: Record<string, unknown>, b: Record<string, unknown>) => String(a[key]).localeCompare(String(b[key]));
  const sorted = (view: typeof paypal) => ({ subscriptions: view.subscriptions.sort(byId('provider_subscription_id')), payments: view.payments.sort(byId('provider_payment_id')) });
  return { recur: sorted(recur), paypal: sorted(paypal) };
}
