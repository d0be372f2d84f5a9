import { sign, type KeyObject } from 'node:crypto';
import { crc32ByTable } from '../../src/providers/payments/paypal/crc32.ts';

export type Transmission = { id?: string; time: string; webhookId: string; certUrl: string; key: KeyObject; crcOf?: Buffer; authAlgo?: string };

/** Signs a delivery the way PayPal does: SHA256withRSA over `id|time|webhookId|crc32(body)` (CRC by the table, independent of the code under test). */
export function signDelivery(raw: Buffer, transmission: Transmission): Record<string, string> {
  const id = transmission.id ?? '69cd13f0-d67a-11e5-baa3-778b53f4ae55';
  const message = `${id}|${transmission.time}|${transmission.webhookId}|${crc32ByTable(transmission.crcOf ?? raw)}`;
  return {
    'paypal-transmission-id': id,
    'paypal-transmission-time': transmission.time,
    'paypal-transmission-sig': sign('sha256', Buffer.from(message), transmission.key).toString('base64'),
    'paypal-cert-url': transmission.certUrl,
    'paypal-auth-algo': transmission.authAlgo ?? 'SHA256withRSA',
  };
}

/** A PAYMENT.SALE.COMPLETED event as PayPal delivers it. */
export function saleCompletedEvent(id = 'WH-2WR32451HC0233532-67976317FL4543714'): Buffer {
  return Buffer.from(
    JSON.stringify({
      id,
      create_time: '2026-06-01T11:59:58.000Z',
      resource_type: 'sale',
      event_type: 'PAYMENT.SALE.COMPLETED',
      summary: 'Payment completed for EUR 29.99 EUR',
      resource: {
        id: '80021663DE681814L',
        state: 'completed',
        amount: { total: '29.99', currency: 'EUR', details: { subtotal: '29.99' } },
        payment_mode: 'INSTANT_TRANSFER',
        protection_eligibility: 'ELIGIBLE',
        transaction_fee: { value: '1.22', currency: 'EUR' },
        billing_agreement_id: 'I-BW452GLLEP1G',
        custom: 'cus_01JZ',
        create_time: '2026-06-01T11:59:55Z',
        update_time: '2026-06-01T11:59:57Z',
      },
      event_version: '1.0',
    }),
  );
}
