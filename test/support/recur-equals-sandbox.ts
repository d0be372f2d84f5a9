import type Stripe from 'stripe';
import type { Database } from '../../src/db/database.ts';
import type { Lab } from './fault-lab.ts';
import { listAll, type RecurCall } from './recur-api.ts';

type RecurSubscription = {
  id: string;
  customer: string;
  provider_subscription_id: string;
  plan: string;
  provider_status: string;
  cancel_at_period_end: boolean;
  current_period_end: string | null;
  trial_end: string | null;
};
type RecurCustomer = { external_id: string; email: string; name: string | null };
type RecurNotification = { id: string; channel: 'email' | 'sms'; template: string; status: string; business_key: string };

const iso = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000).toISOString() : null);
const byKey = <T>(key: (row: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * recur's view of `customers` (through its API; payments, which the API does not list, from its
 * database) beside the sandbox's (through the Stripe SDK), in the same shape, so a test can
 * `expect(recur).toEqual(sandbox)`.
 */
export async function recurAndSandbox(lab: Lab, call: RecurCall, db: Database, customers: { external_id: string; email: string; name: string }[]) {
  const recur = { customers: [] as unknown[], subscriptions: [] as unknown[], payments: [] as unknown[] };
  const sandbox = { customers: [] as unknown[], subscriptions: [] as unknown[], payments: [] as unknown[] };
  const stripeCustomerIds: string[] = [];
  for (const customer of customers) {
    const mine = await call('GET', `/v1/customers/${customer.external_id}`);
    const body = mine.body as RecurCustomer;
    recur.customers.push({ external_id: customer.external_id, email: body.email, name: body.name });
    const theirs = (await lab.stripe.customers.list({ email: customer.email, limit: 10 })).data;
    if (theirs.length !== 1) throw new Error(`the sandbox holds ${theirs.length} customers with ${customer.email}`);
    const stripeCustomer = theirs[0]!;
    stripeCustomerIds.push(stripeCustomer.id);
    sandbox.customers.push({ external_id: customer.external_id, email: stripeCustomer.email, name: stripeCustomer.name });

    for (const s of await listAll<RecurSubscription>(call, `/v1/subscriptions?customer=${customer.external_id}`)) {
      recur.subscriptions.push({
        customer: s.customer,
        provider_subscription_id: s.provider_subscription_id,
        plan: s.plan,
        provider_status: s.provider_status,
        cancel_at_period_end: s.cancel_at_period_end,
        current_period_end: s.current_period_end,
        trial_end: s.trial_end,
      });
    }
    for await (const s of lab.stripe.subscriptions.list({ customer: stripeCustomer.id, status: 'all', limit: 100, expand: ['data.items.data.price'] })) {
      const item = s.items.data[0]!;
      sandbox.subscriptions.push({
        customer: customer.external_id,
        provider_subscription_id: s.id,
        plan: item.price.lookup_key === 'recur_yearly' ? 'yearly' : 'monthly',
        provider_status: s.status,
        cancel_at_period_end: s.cancel_at_period_end,
        current_period_end: iso(item.current_period_end),
        trial_end: iso(s.trial_end),
      });
    }
    for await (const intent of lab.stripe.paymentIntents.list({ customer: stripeCustomer.id, limit: 100 })) {
      // A charge that was declined (and not paid since) is a failed payment in recur.
      const status = intent.status === 'succeeded' ? 'succeeded' : intent.last_payment_error ? 'failed' : null;
      if (status) sandbox.payments.push({ provider_payment_id: intent.id, amount_minor: intent.amount, currency: intent.currency.toUpperCase(), status });
    }
  }
  const payments = await db.query<{ provider_payment_id: string; amount_minor: number; currency: string; status: string }>(
    "SELECT provider_payment_id, amount_minor::int AS amount_minor, currency, status FROM payments WHERE provider = 'stripe' AND customer_id IN (SELECT id FROM customers WHERE external_id = ANY($1::text[]))",
    [customers.map((customer) => customer.external_id)],
  );
  recur.payments = payments.rows.map((row) => ({ ...row }));
  const sortAll = (view: typeof recur) => ({
    customers: view.customers.sort(byKey((row) => (row as RecurCustomer).external_id)),
    subscriptions: view.subscriptions.sort(byKey((row) => (row as RecurSubscription).provider_subscription_id)),
    payments: view.payments.sort(byKey((row) => (row as { provider_payment_id: string }).provider_payment_id)),
  });
  return { recur: sortAll(recur), sandbox: sortAll(sandbox), stripeCustomerIds };
}

/** Events in recur's inbox that are not settled: must be none once the load is over. */
export async function unsettledInboxEvents(call: RecurCall): Promise<{ provider_event_id: string; type: string; status: string; last_error: string | null }[]> {
  const open = [];
  for (const status of ['received', 'processing', 'failed', 'dead']) open.push(...(await listAll<{ id: number; provider_event_id: string; type: string; status: string; last_error: string | null }>(call, `/v1/webhook-events?status=${status}`)));
  return open.map(({ provider_event_id, type, status, last_error }) => ({ provider_event_id, type, status, last_error }));
}

export async function notifications(call: RecurCall): Promise<RecurNotification[]> {
  return listAll<RecurNotification>(call, '/v1/notifications');
}

type StoredMail = { id: string; to: string[]; subject: string | null; custom_args: Record<string, string> };
type StoredSms = { sid: string; to: string; body: string };

/**
 * Each effect the outside world saw, counted where it landed: mails and SMS in the sandbox's
 * inboxes (per recur notice), and recur's calls to Stripe that changed something (per idempotency
 * key: a fresh answer, not a replay). Anything seen twice is listed.
 */
export async function effectsSeenTwice(lab: Lab) {
  const mails = (await lab.control<{ data: StoredMail[] }>('GET', '/sandbox/mail')).data;
  const sms = (await lab.control<{ data: StoredSms[] }>('GET', '/sandbox/sms')).data;
  const twice = <T>(rows: T[], key: (row: T) => string) => {
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
    return [...counts].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`);
  };
  const writes = lab.stripeCalls.filter((call) => call.method !== 'GET');
  const fresh = writes.filter((call) => call.status < 300 && call.responseHeaders['idempotent-replayed'] !== 'true');
  return {
    mails: mails.length,
    sms: sms.length,
    stripeWrites: writes.length,
    mailsPerNotice: twice(mails, (mail) => mail.custom_args.outbox_id ?? `no outbox id: ${mail.subject}`),
    smsPerText: twice(sms, (message) => `${message.to} ${message.body}`),
    writesWithoutIdempotencyKey: writes.filter((call) => !call.headers['idempotency-key']).map((call) => `${call.method} ${call.path}`),
    freshAnswersPerKey: twice(fresh, (call) => String(call.headers['idempotency-key'])),
    /** Cancellations recur asked for and Stripe carried out: at most one per subscription. */
    cancellations: fresh.filter((call) => call.method === 'DELETE' || (call.method === 'POST' && call.body.toString('utf8').includes('cancel_at_period_end=true'))).map((call) => call.path),
  };
}

export type StripeSubscription = Stripe.Subscription;
