import type Stripe from 'stripe';
import type { Database } from '../../src/db/database.ts';
import { createStripeGateway } from '../../src/providers/payments/stripe/create-stripe-gateway.ts';
import { createProviderEventProcessor } from '../../src/services/sync/create-provider-event-processor.ts';
import { stripeEventDialect } from '../../src/providers/payments/stripe/events/stripe-event-dialect.ts';
import type { ProcessingOutcome } from '../../src/webhooks/inbox-event.ts';
import type { Clock } from '../../src/shared/clock.ts';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import type { DatabaseKind } from '../../src/db/database.ts';
import { syncPlansToProvider } from '../../src/services/sync/sync-plans-to-providers.ts';
import { startStripe, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { startTestApp, type TestApp, type TestAppOptions } from '../support/test-app.ts';
import { stripeOnly } from '../support/payment-providers.ts';

export const PUBLIC_BASE_URL = 'http://recur.test';

/** Every event the sandbox holds, oldest first, as the inbox would store them (plain JSON). */
export async function readAllEvents(stripe: Stripe): Promise<Stripe.Event[]> {
  const events: Stripe.Event[] = [];
  for await (const event of stripe.events.list({ limit: 100 })) events.push(JSON.parse(JSON.stringify(event)) as Stripe.Event);
  return events.reverse();
}

export type Feeder = (event: Stripe.Event) => Promise<ProcessingOutcome>;

/** The processor as the worker runs it: prepare outside, apply inside one transaction. */
export function eventFeeder(kit: StripeKit, db: Database, clock: Clock): Feeder {
  const processor = createProviderEventProcessor({ dialect: stripeEventDialect, gateway: createStripeGateway(kit.stripe), db, clock, plans: defaultCatalogue.plans, entitlementPolicy: { pastDueGraceDays: 7 }, defaultLocale: 'nl' });
  let inboxId = 0;
  return async (event) => {
    inboxId += 1;
    const prepared = await processor({ id: inboxId, provider: 'stripe', providerEventId: event.id, type: event.type, payload: event, attempt: 1, receivedAt: clock.now() });
    return db.transaction((tx) => prepared.apply(tx));
  };
}

export async function tableCounts(db: Database): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['customers', 'provider_customers', 'subscriptions', 'payments', 'checkout_sessions', 'audit_log']) {
    counts[table] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
  }
  return counts;
}

/** The business state of the Stripe rows, without recur's own ids and timestamps. */
export async function stripeState(db: Database): Promise<unknown> {
  const subscriptions = await db.query(
    `SELECT provider_subscription_id, plan_id, status, provider_status, trial_end, current_period_start, current_period_end, cancel_at_period_end, canceled_at, past_due_since
     FROM subscriptions ORDER BY provider_subscription_id`,
  );
  const payments = await db.query(
    `SELECT p.provider_payment_id, s.provider_subscription_id, p.kind, p.amount_minor::int AS amount_minor, p.currency, p.amount_refunded_minor::int AS refunded, p.status, p.method_summary, p.invoice_at
     FROM payments p LEFT JOIN subscriptions s ON s.id = p.subscription_id ORDER BY p.provider_payment_id`,
  );
  return { subscriptions: subscriptions.rows, payments: payments.rows };
}

/** The Stripe sandbox and a recur app whose checkout uses it, with the catalogue synced there. */
export async function startStripeTestApp(kind: DatabaseKind, options: TestAppOptions = {}): Promise<{ kit: StripeKit; stripe: Stripe; t: TestApp }> {
  const kit = await startStripe();
  const t = await startTestApp(kind, options);
  const gateway = createStripeGateway(kit.stripe);
  t.ctx.payments = stripeOnly(gateway, PUBLIC_BASE_URL);
  await syncPlansToProvider(gateway, t.ctx.config.catalogue.plans, t.ctx.config.DEFAULT_LOCALE);
  return { kit, stripe: kit.stripe, t };
}
