import { describe, expect, it } from 'vitest';
import { paypalEventDialect } from '../../../src/providers/payments/paypal/events/paypal-event-dialect.ts';
import type { InboxEvent } from '../../../src/webhooks/inbox-event.ts';

const base = 'https://api-m.sandbox.paypal.com';

/** Bodies in PayPal's shape, as the sandbox and PayPal send them. */
const bodies = {
  subscription: { id: 'WH-1', event_version: '1.0', create_time: '2026-03-31T10:00:00Z', resource_type: 'subscription', event_type: 'BILLING.SUBSCRIPTION.SUSPENDED', summary: 'Subscription I-SUB1 suspended', resource: { id: 'I-SUB1', status: 'SUSPENDED' } },
  sale: { id: 'WH-2', create_time: '2026-03-31T10:00:00Z', resource_type: 'sale', event_type: 'PAYMENT.SALE.COMPLETED', summary: 'Payment completed', resource: { id: 'SALE1', state: 'completed', billing_agreement_id: 'I-SUB1' } },
  saleRefund: { id: 'WH-3', create_time: '2026-04-02T10:00:00Z', resource_type: 'refund', event_type: 'PAYMENT.SALE.REFUNDED', summary: 'refunded', resource: { id: 'REF1', sale_id: 'SALE1', billing_agreement_id: 'I-SUB1' } },
  capture: { id: 'WH-4', create_time: '2026-03-31T10:00:00Z', resource_type: 'capture', event_type: 'PAYMENT.CAPTURE.COMPLETED', summary: 'Payment completed', resource: { id: 'CAP1', status: 'COMPLETED' } },
  captureRefund: {
    id: 'WH-5', create_time: '2026-04-02T10:00:00Z', resource_type: 'refund', event_type: 'PAYMENT.CAPTURE.REFUNDED', summary: 'refunded',
    resource: { id: 'REF2', status: 'COMPLETED', links: [{ href: `${base}/v2/payments/refunds/REF2`, rel: 'self', method: 'GET' }, { href: `${base}/v2/payments/captures/CAP1`, rel: 'up', method: 'GET' }] },
  },
  dispute: { id: 'WH-6', create_time: '2026-04-01T10:00:00Z', resource_type: 'dispute', event_type: 'CUSTOMER.DISPUTE.CREATED', summary: 'A dispute was created', resource: { dispute_id: 'PP-D-1', status: 'WAITING_FOR_SELLER_RESPONSE' } },
  order: { id: 'WH-7', create_time: '2026-04-01T10:00:00Z', resource_type: 'checkout-order', event_type: 'CHECKOUT.ORDER.APPROVED', summary: 'An order has been approved by buyer', resource: { id: 'ORDER1', status: 'APPROVED' } },
};

const inbox = (payload: unknown): InboxEvent => ({ id: 1, provider: 'paypal', providerEventId: 'WH-x', type: 'x', payload, attempt: 1, receivedAt: new Date('2026-04-01T10:00:00Z') });

describe("PayPal's event dialect", () => {
  it('reads the envelope: id, type, the create_time as a date, the resource', () => {
    const event = paypalEventDialect.parse(bodies.sale);
    expect(event).toEqual({ id: 'WH-2', type: 'PAYMENT.SALE.COMPLETED', datedAt: new Date('2026-03-31T10:00:00Z'), resourceType: 'sale', summary: 'Payment completed', resource: bodies.sale.resource });
  });

  it('answers a reason for a malformed body instead of throwing', () => {
    for (const payload of [null, 'text', [], {}, { ...bodies.sale, id: '' }, { ...bodies.sale, create_time: 'yesterday' }, { ...bodies.sale, resource: 'SALE1' }, { ...bodies.sale, event_type: 7 }]) {
      const parsed = paypalEventDialect.parse(payload);
      expect(typeof parsed, JSON.stringify(payload)).toBe('string');
      expect(parsed).toMatch(/^not a PayPal event: /);
    }
  });

  it('handles every event type PayPal sends for subscriptions, payments, disputes and orders, and no other', () => {
    expect([...paypalEventDialect.handlers.keys()].sort()).toEqual([
      'BILLING.SUBSCRIPTION.ACTIVATED', 'BILLING.SUBSCRIPTION.CANCELLED', 'BILLING.SUBSCRIPTION.CREATED', 'BILLING.SUBSCRIPTION.EXPIRED',
      'BILLING.SUBSCRIPTION.PAYMENT.FAILED', 'BILLING.SUBSCRIPTION.SUSPENDED', 'BILLING.SUBSCRIPTION.UPDATED',
      'CHECKOUT.ORDER.APPROVED', 'CUSTOMER.DISPUTE.CREATED', 'CUSTOMER.DISPUTE.RESOLVED', 'CUSTOMER.DISPUTE.UPDATED',
      'PAYMENT.CAPTURE.COMPLETED', 'PAYMENT.CAPTURE.DENIED', 'PAYMENT.CAPTURE.REFUNDED', 'PAYMENT.CAPTURE.REVERSED',
      'PAYMENT.SALE.COMPLETED', 'PAYMENT.SALE.REFUNDED', 'PAYMENT.SALE.REVERSED',
    ]);
    expect(paypalEventDialect.handlers.get('constructor')).toBeUndefined();
  });

  it('groups a subscription with its sales and their refunds, a capture with its refunds, and a dispute alone', () => {
    const objectOf = (body: unknown) => paypalEventDialect.objectOf(inbox(body));
    expect(objectOf(bodies.subscription)).toBe('subscription:I-SUB1');
    expect(objectOf(bodies.sale)).toBe('subscription:I-SUB1');
    expect(objectOf(bodies.saleRefund)).toBe('subscription:I-SUB1');
    expect(objectOf({ ...bodies.sale, resource: { id: 'SALE2', state: 'completed' } })).toBe('sale:SALE2');
    expect(objectOf(bodies.capture)).toBe('capture:CAP1');
    expect(objectOf(bodies.captureRefund)).toBe('capture:CAP1');
    expect(objectOf(bodies.dispute)).toBe('dispute:PP-D-1');
    expect(objectOf(bodies.order)).toBe('order:ORDER1');
    expect(objectOf({ nonsense: true })).toBeNull();
    expect(objectOf({ ...bodies.subscription, resource: {} })).toBeNull();
  });

  it('applies subscriptions (and their sales) before disputes, captures and orders in a batch', () => {
    expect(paypalEventDialect.stageOf('subscription:I-SUB1')).toBe(0);
    for (const object of ['dispute:PP-D-1', 'capture:CAP1', 'sale:SALE2', 'order:ORDER1']) expect(paypalEventDialect.stageOf(object)).toBe(1);
  });

  it("writes under the event's create_time, whatever the resource says of its own update time", () => {
    const event = paypalEventDialect.parse({ ...bodies.subscription, resource: { ...bodies.subscription.resource, update_time: '2030-01-01T00:00:00Z' } });
    if (typeof event === 'string') throw new Error(event);
    expect(paypalEventDialect.versionOf(event, { providerCustomerId: 'PAYER', metadataCustomerId: null, linkedCustomerId: null, customerDetails: null, subscription: null, payment: null, checkoutSession: null, note: null, failedCharge: null, dispute: null, prepaid: null })).toEqual(new Date('2026-03-31T10:00:00Z'));
  });
});
