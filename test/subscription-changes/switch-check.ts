import type Stripe from 'stripe';
import { expect } from 'vitest';
import type { ChangeKit } from './change-kit.ts';

type Money = { amount_minor: number; currency: string };

export type SwitchPreview = {
  amount_due: Money;
  proration_date: string;
  lines: { description: string; amount_minor: number; proration: boolean; period_start: string; period_end: string }[];
  next_renewal: (Money & { at: string }) | null;
  ends_at: string | null;
  credit_carried_forward: Money;
};

export type SwitchAnswer = { subscription: { plan: string; status: string }; invoice: { id: string; amount_due: Money; amount_paid: Money; status: string } | null };

/** A checkout, a switch and a renewal through recur and the sandbox take a while on a busy machine. */
export const SLOW_MS = 120_000;

/** Seconds the customer reads the preview before confirming: the switch must still charge what it showed. */
export const READING_S = 60;

const seconds = (at: string) => Date.parse(at) / 1000;

/** The preview, then (after reading it for a minute) the switch with its proration_date. */
export async function previewThenSwitch(kit: ChangeKit, subscriptionId: string, plan: string): Promise<{ preview: SwitchPreview; answer: SwitchAnswer }> {
  const previewed = await kit.api('POST', `/v1/subscriptions/${subscriptionId}/switch/preview`, { plan });
  expect(previewed.status).toBe(200);
  const preview = (await previewed.json()) as SwitchPreview;
  await kit.advance({ seconds: READING_S });
  const switched = await kit.api('POST', `/v1/subscriptions/${subscriptionId}/switch`, { plan, proration_date: preview.proration_date });
  expect(switched.status).toBe(200);
  return { preview, answer: (await switched.json()) as SwitchAnswer };
}

/** What Stripe charged for the switch equals the preview: amount, status and every line. */
export async function expectChargedAsPreviewed(kit: ChangeKit, preview: SwitchPreview, answer: SwitchAnswer): Promise<Stripe.Invoice> {
  const stripe = kit.recur.kit.stripe;
  expect(answer.invoice).not.toBeNull();
  const invoice = await stripe.invoices.retrieve(answer.invoice!.id);
  expect([invoice.billing_reason, invoice.status, invoice.amount_due, invoice.amount_paid]).toEqual(['subscription_update', 'paid', preview.amount_due.amount_minor, preview.amount_due.amount_minor]);
  expect(answer.invoice).toMatchObject({ amount_due: preview.amount_due, amount_paid: preview.amount_due, status: 'paid' });
  expect(invoice.lines.data.map((line) => [line.amount, line.description])).toEqual(preview.lines.map((line) => [line.amount_minor, line.description]));
  return invoice;
}

/** A switch that charges nothing: no invoice made, the latest one still the one from before. */
export async function expectNothingCharged(kit: ChangeKit, providerSubscriptionId: string, latestBefore: string | null, preview: SwitchPreview, answer: SwitchAnswer): Promise<void> {
  const stripe = kit.recur.kit.stripe;
  expect([preview.amount_due.amount_minor, preview.lines]).toEqual([0, []]);
  expect(answer.invoice).toBeNull();
  const after = await stripe.subscriptions.retrieve(providerSubscriptionId);
  expect(after.latest_invoice).toBe(latestBefore);
  expect((await stripe.invoices.list({ subscription: providerSubscriptionId })).data.filter((invoice) => invoice.billing_reason === 'subscription_update')).toEqual([]);
}

/**
 * The renewal the preview promised happens: the sandbox clock moved to it, Stripe's next invoice
 * is charged at that moment for the promised amount. `lateBy`: seconds the new period started
 * after the preview (Stripe anchors it at the switch itself, not at the proration_date).
 */
export async function expectRenewalAsPreviewed(kit: ChangeKit, providerSubscriptionId: string, preview: SwitchPreview, lateBy: number): Promise<Stripe.Invoice> {
  const stripe = kit.recur.kit.stripe;
  const renewal = preview.next_renewal!;
  const subscription = await stripe.subscriptions.retrieve(providerSubscriptionId);
  const renewsAt = subscription.status === 'trialing' ? subscription.trial_end! : subscription.items.data[0]!.current_period_end;
  expect(renewsAt - seconds(renewal.at)).toBe(lateBy);
  expect(subscription.cancel_at).toBeNull();
  const now = Math.floor(kit.recur.kit.sandbox.ctx.clock.now().getTime() / 1000);
  await kit.advance({ seconds: renewsAt - now + 60 });
  const renewed = await stripe.subscriptions.retrieve(providerSubscriptionId);
  const invoice = await stripe.invoices.retrieve(renewed.latest_invoice as string);
  expect([invoice.billing_reason, invoice.status, invoice.amount_paid, invoice.currency.toUpperCase()]).toEqual(['subscription_cycle', 'paid', renewal.amount_minor, renewal.currency]);
  expect(invoice.lines.data[0]!.period.start).toBe(renewsAt);
  return invoice;
}
