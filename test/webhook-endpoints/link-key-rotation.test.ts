import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigningSecretSealer } from '../../src/services/outgoing-webhooks/signing-secret-sealer.ts';
import { resealEndpointSecrets } from '../../src/services/outgoing-webhooks/reseal-endpoint-secrets.ts';
import { insertEventCustomer, recordEvent, runDeliveryJob, testOutgoingWebhooks } from '../support/outgoing-webhooks.ts';
import { startShopReceiver } from '../support/shop-receiver.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const OLD_KEY = 'link-signing-key-before-the-rotation!!';
const NEW_KEY = 'link-signing-key-after-the-rotation!!!';

/**
 * The endpoints' secrets are sealed under the link-signing key. When the operator replaces
 * LINK_SIGNING_SECRET and keeps the old one in LINK_SIGNING_SECRET_PREVIOUS, deliveries go on
 * and the start seals every secret again under the new key; then the old key can go, and the
 * receivers, whose secrets did not change, notice nothing.
 */
describe.each(testDatabaseKinds)('a new link-signing key (%s)', (kind) => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startShopReceiver>>;

  beforeAll(async () => {
    t = await startTestApp(kind, { outgoingWebhooks: testOutgoingWebhooks({ sealer: createSigningSecretSealer(OLD_KEY) }) });
    receiver = await startShopReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: { authorization: t.auth }, payload });

  it('delivers through the rotation, seals each secret again once, and works on the new key alone', async () => {
    const created = (await post('/v1/webhook-endpoints', { url: receiver.url, event_types: ['*'] })).json();
    const rotated = (await post(`/v1/webhook-endpoints/${created.id}/rotate-secret`, { overlap_hours: 24 })).json();
    const customer = await insertEventCustomer(t, 'shop-rotation');
    const deliver = async () => {
      t.clock.advance(1000);
      await recordEvent(t, customer, 'customer.updated', { id: customer });
      await runDeliveryJob(t);
      return receiver.requests.at(-1)!;
    };

    // The new key alone cannot open what the old one sealed: the delivery fails and says so.
    t.ctx.outgoingWebhooks!.sealer = createSigningSecretSealer(NEW_KEY);
    const before = receiver.requests.length;
    await deliver();
    expect(receiver.requests).toHaveLength(before);

    // With the old key kept as the previous one, deliveries go on, signed with both secrets of the overlap.
    t.ctx.outgoingWebhooks!.sealer = createSigningSecretSealer(NEW_KEY, OLD_KEY);
    await runDeliveryJob(t);
    const during = await deliver();
    expect(receiver.verify(during, rotated.secret).ok).toBe(true);
    expect(receiver.verify(during, created.secret).ok).toBe(true);

    expect(await resealEndpointSecrets(t.ctx as Parameters<typeof resealEndpointSecrets>[0])).toEqual({ resealed: 1, unreadable: 0 });
    expect(await resealEndpointSecrets(t.ctx as Parameters<typeof resealEndpointSecrets>[0])).toEqual({ resealed: 0, unreadable: 0 });

    // The old key removed: the same secrets, now under the new key.
    t.ctx.outgoingWebhooks!.sealer = createSigningSecretSealer(NEW_KEY);
    const after = await deliver();
    expect(receiver.verify(after, rotated.secret).ok).toBe(true);
    expect(receiver.verify(after, created.secret).ok).toBe(true);
  });
});
