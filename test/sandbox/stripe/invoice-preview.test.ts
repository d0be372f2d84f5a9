import type Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { advanceDays, startStripe, type StripeKit } from './stripe-kit.ts';

describe('POST /v1/invoices/create_preview', () => {
  let kit: StripeKit;
  afterEach(async () => {
    await kit.stop();
  });

  async function subscribedMonthly(stripe: Stripe) {
    const product = await stripe.products.create({ name: 'Club' });
    const monthly = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 2999, recurring: { interval: 'month' } });
    const premium = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 5999, recurring: { interval: 'month' } });
    const yearly = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 29990, recurring: { interval: 'year' } });
    const customer = await stripe.customers.create({ email: 'c@example.nl', payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }] });
    return { monthly, premium, yearly, customer, subscription };
  }

  it('previews a switch to yearly exactly as the update then invoices it, for the same proration_date', async () => {
    kit = await startStripe();
    const { stripe } = kit;
    const { yearly, subscription } = await subscribedMonthly(stripe);
    await advanceDays(kit.sandbox, 10);
    const item = subscription.items.data[0]!;
    const prorationDate = item.current_period_start + 10 * 86_400;
    const change = { items: [{ id: item.id, price: yearly.id }], proration_behavior: 'always_invoice' as const, proration_date: prorationDate };

    const preview = await stripe.invoices.createPreview({ subscription: subscription.id, subscription_details: change });
    const unused = -Math.round((2999 * (item.current_period_end - prorationDate)) / (item.current_period_end - item.current_period_start));
    expect(preview).toMatchObject({ object: 'invoice', billing_reason: 'upcoming', currency: 'eur', amount_due: 29990 + unused, total: 29990 + unused, status: 'draft' });
    expect(preview.id).toMatch(/^upcoming_in_/);
    expect(preview.parent?.subscription_details).toMatchObject({ subscription: subscription.id, subscription_proration_date: prorationDate });
    expect(preview.lines.data.map((line) => [line.amount, line.parent?.subscription_item_details?.proration ?? line.parent?.invoice_item_details?.proration])).toEqual([
      [29990, false],
      [unused, true],
    ]);
    const yearLine = preview.lines.data[0]!;
    expect(yearLine.period.end - yearLine.period.start).toBe(365 * 86_400);

    // The preview stores nothing: no invoice, no pending item, the subscription unchanged.
    expect((await stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(1);
    expect((await stripe.invoiceItems.list({ customer: String(subscription.customer), pending: true })).data).toHaveLength(0);
    expect((await stripe.subscriptions.retrieve(subscription.id)).items.data[0]!.price.id).toBe(item.price.id);

    // Two seconds later the real update with the previewed proration_date charges the same amount.
    await fetch(`${kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 2 }) });
    const updated = await stripe.subscriptions.update(subscription.id, change, { idempotencyKey: 'preview-test-switch' });
    const invoice = await stripe.invoices.retrieve(updated.latest_invoice as string);
    expect(invoice).toMatchObject({ status: 'paid', amount_due: preview.amount_due, amount_paid: preview.amount_due, total: preview.total });
    expect(invoice.lines.data.map((line) => line.amount)).toEqual(preview.lines.data.map((line) => line.amount));
  });

  it('previews the next renewal with create_prorations, and refuses what Stripe refuses', async () => {
    kit = await startStripe();
    const { stripe } = kit;
    const { premium, subscription } = await subscribedMonthly(stripe);
    await advanceDays(kit.sandbox, 15);
    const item = subscription.items.data[0]!;
    const preview = await stripe.invoices.createPreview({ subscription: subscription.id, subscription_details: { items: [{ id: item.id, price: premium.id }] } });
    expect(preview.billing_reason).toBe('upcoming');
    const [next, ...prorations] = preview.lines.data;
    expect(next).toMatchObject({ amount: 5999, period: { start: item.current_period_end } });
    expect(prorations.map((line) => Math.sign(line.amount))).toEqual([-1, 1]);
    expect(preview.amount_due).toBe(5999 + prorations.reduce((sum, line) => sum + line.amount, 0));

    await expect(stripe.invoices.createPreview({ customer: String(subscription.customer) })).rejects.toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'subscription' });
    await expect(stripe.invoices.createPreview({ subscription: 'sub_missing' })).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'subscription' });
    await stripe.subscriptions.cancel(subscription.id);
    await expect(stripe.invoices.createPreview({ subscription: subscription.id })).rejects.toMatchObject({ statusCode: 400, code: 'invoice_upcoming_none' });
  });
});
