import { afterEach, describe, expect, it } from 'vitest';
import { deliverDueNotifications } from '../../src/notifications/deliver-due-notifications.ts';
import { accessToken, paypalCall } from '../sandbox/paypal/paypal-kit.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { onDay, PAYS, startPaypalRecur, subscriptionRow, type PaypalRecur } from './events/paypal-events-kit.ts';

/**
 * A paying PayPal customer cancels through recur's API on day 40 (paid on day 30 until a calendar
 * month later), first at period end (recur keeps that itself), then now. PayPal cancels at once:
 * recur asks for that, PayPal says CANCELLED, recur records it with PayPal's time (not the period's
 * end it had been asked for), and the customer gets the cancellation confirmation in Dutch, once.
 */
describe.each(testDatabaseKinds)('cancelling a PayPal subscription through recur on %s', (kind) => {
  let recur: PaypalRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  }, 120_000);

  it('cancel now, after a cancel at period end was asked (PayPal cancelled then), ends it in recur at once, confirmed once in Dutch', async () => {
    recur = await startPaypalRecur(kind, null, { messaging: true });
    const running = recur;
    const { subscriptionId: paypalId, customerId } = await running.subscribe(PAYS.replace('@', '+cancel@'), { email: 'opzegger@example.nl', name: 'Olga Smit', locale: 'nl' });
    await running.moveToDay(40);
    const ours = (await running.t.ctx.db.query<{ id: string; external_id: string }>('SELECT s.id, c.external_id FROM subscriptions s JOIN customers c ON c.id = s.customer_id WHERE s.customer_id = $1', [customerId])).rows[0]!;
    const api = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => running.t.app.inject({ method, url, headers: { authorization: running.t.auth }, ...(payload ? { payload } : {}) });
    expect((await api('GET', `/v1/customers/${ours.external_id}/entitlement`)).json()).toMatchObject({ entitled: true, reason: 'active' });

    // First set to cancel at period end (PayPal cancels at once; recur runs it on until the end), then cancelled now after all.
    const atPeriodEnd = await api('POST', `/v1/subscriptions/${ours.id}/cancel`, {});
    expect(atPeriodEnd.json()).toMatchObject({ status: 'active', provider_status: 'CANCELLED', cancel_at_period_end: true });

    const now = await api('POST', `/v1/subscriptions/${ours.id}/cancel`, { at: 'now' });
    expect(now.statusCode, now.body).toBe(200);
    expect(now.json()).toMatchObject({ status: 'canceled', provider_status: 'CANCELLED' });
    const atPaypal = (await paypalCall(running.sandbox.url, await accessToken(running.sandbox.url), 'GET', `/v1/billing/subscriptions/${paypalId}`)).body;
    expect(atPaypal.status).toBe('CANCELLED');
    await running.settle();
    expect(await subscriptionRow(running.t, paypalId)).toMatchObject({ status: 'canceled', canceled_at: onDay(40) });

    await deliverDueNotifications({ ...running.t.ctx, messaging: running.t.ctx.messaging!, random: () => 0.5 });
    const mails = ((await (await fetch(`${running.sandbox.url}/sandbox/mail?to=opzegger@example.nl`)).json()) as { data: { subject: string; categories: string[] }[] }).data;
    const confirmations = mails.filter((mail) => mail.categories[0] === 'cancellation-confirmation');
    expect(confirmations).toHaveLength(1);
    const outboxRow = (await running.t.ctx.db.query<{ locale: string }>("SELECT locale FROM notification_outbox WHERE customer_id = $1 AND template = 'cancellation-confirmation'", [customerId])).rows;
    expect(outboxRow).toEqual([{ locale: 'nl' }]);
    // A cancel now ends access now; recur's own cancel at period end was set aside for it.
    expect((await api('GET', `/v1/customers/${ours.external_id}/entitlement`)).json()).toMatchObject({ entitled: false, reason: 'canceled' });
  }, 120_000);
});
