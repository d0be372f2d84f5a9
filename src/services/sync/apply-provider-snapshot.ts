import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { settleCheckoutSession } from '../../db/repositories/checkout-session-repository.ts';
import { recordSubscriptionMandate } from '../../db/repositories/subscription-repository.ts';
import { lockCustomerForWrite, type Locale } from '../../db/repositories/customer-repository.ts';
import type { Plan } from '../../domain/plan.ts';
import { providerName, type ProviderId } from '../../domain/provider.ts';
import { recordRiskFacts } from '../risk/record-risk-facts.ts';
import type { JobQueue } from '../service-context.ts';
import { recordPrepaidPurchase } from '../checkout/record-prepaid-purchase.ts';
import { notifyPaymentActionRequired } from '../../notifications/payment-action-notice.ts';
import { recordProviderRefunds } from '../refunds/record-provider-refunds.ts';
import { recordProviderPayment } from './record-provider-payment.ts';
import { recordProviderSubscription } from './record-provider-subscription.ts';
import { resolveProviderCustomer } from './resolve-provider-customer.ts';
import type { ProcessingOutcome } from '../../webhooks/inbox-event.ts';
import type { ProviderSnapshot } from '../../providers/payments/provider-snapshot.ts';
import type { EntitlementPolicy } from '../../domain/entitlement.ts';
import { queueKeepCardThatPays } from '../checkout/keep-card-that-pays.ts';

export type ApplyContext = {
  /** The provider the snapshot was read from: every row written is that provider's. */
  provider: ProviderId;
  version: Date;
  now: Date;
  actor: string;
  plans: readonly Plan[];
  /** The rule the entitlement API answers with, for `entitlement.changed`. */
  entitlementPolicy: EntitlementPolicy;
  defaultLocale: Locale;
  /** Queues the fraud review and dispute policy jobs in this transaction; absent, the facts are only recorded. */
  jobs?: JobQueue;
};

async function subscriptionRowId(tx: Queryable, provider: ProviderId, providerSubscriptionId: string | null): Promise<string | null> {
  if (!providerSubscriptionId) return null;
  const result = await tx.query<{ id: string }>('SELECT id FROM subscriptions WHERE provider = $1 AND provider_subscription_id = $2', [provider, providerSubscriptionId]);
  return result.rows[0]?.id ?? null;
}

/** The mandate the snapshot names for its subscription's debits: the checkout's, or its payment's. */
function mandateOfSnapshot(snapshot: ProviderSnapshot): string | null {
  const paysThis = snapshot.payment && snapshot.subscription && snapshot.payment.providerSubscriptionId === snapshot.subscription.id;
  return snapshot.mandateReference ?? (paysThis ? (snapshot.payment!.mandateReference ?? null) : null);
}

async function paymentRowId(tx: Queryable, provider: ProviderId, providerPaymentId: string): Promise<string | null> {
  const result = await tx.query<{ id: string }>('SELECT id FROM payments WHERE provider = $1 AND provider_payment_id = $2', [provider, providerPaymentId]);
  return result.rows[0]?.id ?? null;
}

/**
 * Writes one snapshot: customer (found, linked or created), subscription (version guard), payment
 * (forward-only merge), its refunds, checkout session, and the once-per-event note. Every step is idempotent,
 * so the same event applied again changes nothing.
 */
export async function applyProviderSnapshot(tx: Queryable, snapshot: ProviderSnapshot, ctx: ApplyContext): Promise<ProcessingOutcome> {
  const { provider } = ctx;
  const customerId = await resolveProviderCustomer(
    tx,
    { provider, providerCustomerId: snapshot.providerCustomerId, metadataCustomerId: snapshot.metadataCustomerId, linkedCustomerId: snapshot.linkedCustomerId, details: snapshot.customerDetails },
    { now: ctx.now, actor: ctx.actor, defaultLocale: ctx.defaultLocale },
  );
  if (!customerId) return { outcome: 'ignored', reason: `${providerName(provider)} customer ${snapshot.providerCustomerId} is unknown and could not be read` };
  // The customer's row first, before any subscription, payment or dispute row (resolving took it when it linked).
  await lockCustomerForWrite(tx, customerId);

  const done: string[] = [];
  let subscriptionId: string | null = null;
  if (snapshot.subscription) {
    const recorded = await recordProviderSubscription(tx, {
      provider,
      customerId,
      subscription: snapshot.subscription,
      version: ctx.version,
      plans: ctx.plans,
      entitlementPolicy: ctx.entitlementPolicy,
      now: ctx.now,
      actor: ctx.actor,
      mandateReference: mandateOfSnapshot(snapshot),
    });
    if (recorded.outcome === 'not_recorded') done.push(`subscription skipped: ${recorded.reason}`);
    else {
      subscriptionId = recorded.subscriptionId;
      done.push(`subscription ${recorded.outcome}`);
    }
  }
  if (snapshot.payment && snapshot.prepaid && !snapshot.subscription) {
    // A one-time checkout names its recur customer; time is only given to that customer.
    if (snapshot.metadataCustomerId !== customerId) done.push(`prepaid period skipped: the checkout names another recur customer`);
    else {
      const recorded = await recordPrepaidPurchase(tx, { provider, customerId, payment: snapshot.payment, prepaid: snapshot.prepaid, version: ctx.version, plans: ctx.plans, entitlementPolicy: ctx.entitlementPolicy, now: ctx.now, actor: ctx.actor });
      done.push(recorded.outcome === 'not_recorded' ? `prepaid period not recorded: ${recorded.reason}` : `prepaid period ${recorded.outcome}`);
    }
  } else if (snapshot.payment) {
    const paysFor = subscriptionId ?? (await subscriptionRowId(tx, provider, snapshot.payment.providerSubscriptionId));
    const recorded = await recordProviderPayment(tx, { provider, customerId, subscriptionId: paysFor, payment: snapshot.payment, version: ctx.version, plans: ctx.plans, entitlementPolicy: ctx.entitlementPolicy, now: ctx.now, actor: ctx.actor });
    done.push(`payment ${recorded.outcome}`);
    // A debit (or a bank payment that set one up) read without its subscription names the mandate too.
    if (paysFor && !snapshot.subscription && snapshot.payment.mandateReference && (await recordSubscriptionMandate(tx, paysFor, snapshot.payment.mandateReference, ctx.now))) done.push('mandate recorded');
    // The summary names the notice, never its link: the link pays the invoice.
    if (snapshot.paymentAction && (await notifyPaymentActionRequired(tx, { provider, providerPaymentId: snapshot.payment.id, url: snapshot.paymentAction.url, plans: ctx.plans, now: ctx.now }))) done.push('payment action required notice');
  }
  if (snapshot.payment && snapshot.refunds && snapshot.refunds.length > 0) {
    const paymentId = await paymentRowId(tx, provider, snapshot.payment.id);
    if (paymentId) done.push(...(await recordProviderRefunds(tx, { provider, paymentId, payment: snapshot.payment, refunds: snapshot.refunds }, { now: ctx.now, actor: ctx.actor, entitlementPolicy: ctx.entitlementPolicy })));
  }
  if (snapshot.failedCharge || snapshot.dispute) {
    done.push(...(await recordRiskFacts(tx, { customerId, failedCharge: snapshot.failedCharge, dispute: snapshot.dispute }, { provider, now: ctx.now, actor: ctx.actor, jobs: ctx.jobs })));
  }
  if (snapshot.checkoutSession) {
    const settled = await settleCheckoutSession(tx, { provider, providerSessionId: snapshot.checkoutSession.id }, { status: snapshot.checkoutSession.status, subscriptionId }, ctx.now);
    if (settled) done.push(`checkout session ${snapshot.checkoutSession.status}`);
    if (settled && snapshot.checkoutSession.status === 'complete' && snapshot.subscription) await queueKeepCardThatPays(tx, ctx.jobs, provider, snapshot.subscription.id);
  }
  if (snapshot.note && snapshot.payment) {
    const paymentId = (await paymentRowId(tx, provider, snapshot.payment.id))!;
    // Once per event: the actor names the event, so a second delivery finds its own entry.
    const seen = await tx.query('SELECT 1 FROM audit_log WHERE actor = $1 AND entity = $2 AND entity_id = $3 AND action = $4', [ctx.actor, 'payment', paymentId, snapshot.note.action]);
    if (seen.rows.length === 0) {
      await recordAudit(tx, { at: ctx.now, actor: ctx.actor, entity: 'payment', entityId: paymentId, action: snapshot.note.action, before: null, after: snapshot.note.detail });
      done.push(snapshot.note.action);
    }
  }
  return { outcome: 'applied', summary: done.join('; ') || 'no change' };
}
