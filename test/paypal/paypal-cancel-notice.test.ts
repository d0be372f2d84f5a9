import { afterEach, describe, expect, it } from 'vitest';
import { deliverDueNotifications } from '../../src/notifications/deliver-due-notifications.ts';
import { accessToken, paypalCall } from '../sandbox/paypal/paypal-kit.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { onDay, PAYS, startPaypalRecur, subscriptionRow, type PaypalRecur } from './events/paypal-events-kit.ts';

/**
 * A paying PayPal customer cancels through recur's API on day 40 (paid on day 30 until a calendar
 * month later). PayPal can only cancel at once: recur asks for that, PayPal says CANCELLED, recur
 * records it with PayPal's time, and the customer gets the cancellation confirmation in Dutch.
 */
describe.each(testDatabaseKinds)('cancelling a PayPal subscription through recur on %s', (kind) => {
  let recur: PaypalRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  }, 120_000);

  it('cancel at period end is refused (409), cancel now ends it at PayPal and in recur, confirmed in Dutch', async () => {
    recur = await startPaypalRecur(kind, null, { messaging: true });
    const running = recur;
    const { subscriptionId: paypalId, customerId } = await running.subscribe(PAYS.replace('@', '+cancel@'), { email: 'opzegger@example.nl', name: 'Olga Smit', locale: 'nl' });
    await running.moveToDay(40);
    const ours = (await running.t.ctx.db.query<{ id: string; external_id: string }>('SELECT s.id, c.external_id FROM subscriptions s JOIN customers c ON c.id = s.customer_id WHERE s.customer_id = $1', [customerId])).rows[0]!;
    const api = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => running.t.app.inject({ method, url, headers: { authorization: running.t.auth }, ...(payload ? { payload } : {}) });
    expect((await api('GET', `/v1/customers/${ours.external_id}/entitlement`)).json()).toMatchObject({ entitled: true, reason: 'active' });

    const atPeriodEnd = await api('POST', `/v1/subscriptions/${ours.id}/cancel`, {});
    expect([atPeriodEnd.statusCode, atPeriodEnd.json().error.code]).toEqual([409, 'not_supported_by_provider']);

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
    // PayPal cancels at once and entitlement ends with it: access until the paid date is not kept yet.
    expect((await api('GET', `/v1/customers/${ours.external_id}/entitlement`)).json()).toMatchObject({ entitled: false, reason: 'canceled' });
  }, 120_000);
});
