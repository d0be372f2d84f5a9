import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { RecurWebhookError, verifyWebhook, type RecurEvent } from '../../packages/client/src/index.ts';

const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;
const SECRET = newSecret();

const entitlementChanged = {
  type: 'entitlement.changed',
  timestamp: '2026-03-01T10:00:05.000Z',
  data: { sequence: 3, customer: 'shop-1042', entitled: true, reason: 'trialing', until: '2026-03-31T10:00:00.000Z', subscription_id: '5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5', checked_at: '2026-03-01T10:00:05.000Z' },
};

/** A delivery as a Standard Webhooks sender makes it, signed with each of `secrets` (a rotation signs with both). */
function signed(payload: unknown, secrets: string[] = [SECRET], at = new Date()) {
  const body = JSON.stringify(payload);
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const signature = secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' ');
  return { body, headers: { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature } };
}

const refusal = (work: () => unknown): RecurWebhookError => {
  try {
    work();
  } catch (error) {
    if (error instanceof RecurWebhookError) return error;
    throw error;
  }
  throw new Error('verifyWebhook accepted the delivery');
};

describe('verifyWebhook', () => {
  it('answers the signed event, typed by its type', () => {
    const { body, headers } = signed(entitlementChanged);
    const event: RecurEvent = verifyWebhook(body, headers, SECRET);
    // The sequence recur puts in the object is also the event's own field.
    expect(event).toEqual({ ...entitlementChanged, sequence: 3 });
    if (event.type !== 'entitlement.changed') throw new Error('expected entitlement.changed');
    const entitled: boolean = event.data.entitled;
    expect([entitled, event.data.reason, event.sequence]).toEqual([true, 'trialing', 3]);
  });

  it('takes the body as bytes and the headers as a Fetch Headers or in any case', () => {
    const { body, headers } = signed(entitlementChanged);
    expect(verifyWebhook(Buffer.from(body), new Headers(headers), SECRET).type).toBe('entitlement.changed');
    const shouted = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]));
    expect(verifyWebhook(body, shouted, SECRET).type).toBe('entitlement.changed');
  });

  it('verifies with either secret while recur signs with both (a rotation)', () => {
    const next = newSecret();
    const { body, headers } = signed(entitlementChanged, [SECRET, next]);
    expect(verifyWebhook(body, headers, SECRET).type).toBe('entitlement.changed');
    expect(verifyWebhook(body, headers, next).type).toBe('entitlement.changed');
  });

  it('refuses a changed body, another secret, a missing header and an old delivery', () => {
    const { body, headers } = signed(entitlementChanged);
    expect(refusal(() => verifyWebhook(body.replace('"entitled":true', '"entitled":false'), headers, SECRET)).reason).toBe('bad_signature');
    expect(refusal(() => verifyWebhook(body, headers, newSecret())).reason).toBe('bad_signature');
    const { 'webhook-signature': _dropped, ...unsigned } = headers;
    expect(refusal(() => verifyWebhook(body, unsigned, SECRET))).toMatchObject({ reason: 'bad_signature', message: 'the webhook-signature header is missing' });
    const old = signed(entitlementChanged, [SECRET], new Date(Date.now() - 3_600_000));
    expect(refusal(() => verifyWebhook(old.body, old.headers, SECRET)).reason).toBe('bad_signature');
  });

  it('refuses a signed body that is not an event, and names an event type it does not know', () => {
    const notEvent = signed({ hello: 'world' });
    expect(refusal(() => verifyWebhook(notEvent.body, notEvent.headers, SECRET)).reason).toBe('bad_payload');
    const newer = signed({ ...entitlementChanged, type: 'invoice.created' });
    expect(refusal(() => verifyWebhook(newer.body, newer.headers, SECRET))).toMatchObject({ reason: 'unknown_event_type', message: expect.stringContaining('invoice.created') });
  });
});
