import { randomBytes } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { insertCustomer } from '../../src/db/repositories/customer-repository.ts';
import { recordOutgoingEvent } from '../../src/db/repositories/outgoing-event-repository.ts';
import type { OutgoingEventType } from '../../src/domain/outgoing-event-type.ts';
import { deliverWebhooksJob } from '../../src/jobs/deliver-webhooks.ts';
import type { OutgoingWebhooksContext } from '../../src/services/outgoing-webhooks/outgoing-webhooks-context.ts';
import { createSigningSecretSealer } from '../../src/services/outgoing-webhooks/signing-secret-sealer.ts';
import { createWebhookDeliveryMetrics } from '../../src/services/outgoing-webhooks/webhook-delivery-metrics.ts';
import { systemClock } from '../../src/shared/clock.ts';
import type { TestApp } from './test-app.ts';

/**
 * The endpoints' context for tests: a fresh sealing key, host names resolved from `hosts` (a test
 * changes them to play a DNS change), private targets allowed unless said (the receivers listen
 * on loopback), a short timeout, no jitter, and real time on signatures (receivers verify against it).
 */
export function testOutgoingWebhooks(overrides: Partial<OutgoingWebhooksContext> & { hosts?: Map<string, string> } = {}): OutgoingWebhooksContext & { hosts: Map<string, string> } {
  const hosts = overrides.hosts ?? new Map<string, string>();
  return {
    sealer: createSigningSecretSealer(randomBytes(32).toString('base64url')),
    allowPrivateTargets: true,
    timeoutMs: 500,
    defaultOverlapHours: 24,
    resolveHost: async (hostname): Promise<LookupAddress[]> => {
      const address = hosts.get(hostname);
      if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return [{ address, family: address.includes(':') ? 6 : 4 }];
    },
    realClock: systemClock,
    random: () => 0.5,
    metrics: createWebhookDeliveryMetrics(),
    ...overrides,
    hosts,
  };
}

/** One run of the deliver-webhooks job, as the job engine runs it. */
export async function runDeliveryJob(t: TestApp): Promise<void> {
  await deliverWebhooksJob(t.ctx).handle({}, { jobId: 'test', attempt: 1 });
}

/** A customer row, written directly (no event of its own), for events to be about. */
export async function insertEventCustomer(t: TestApp, externalId: string): Promise<string> {
  const customer = await insertCustomer(t.ctx.db, { externalId, email: `${externalId}@example.nl`, name: null, phone: null, locale: 'nl' }, t.ctx.clock.now());
  return customer.id;
}

/** Records one event as the code that decides it will (in a transaction of its own here). */
export async function recordEvent(t: TestApp, customerId: string, type: OutgoingEventType, data: Record<string, unknown> = {}): Promise<{ id: string; sequence: number }> {
  const now = t.ctx.clock.now();
  const recorded = await t.ctx.db.transaction((tx) => recordOutgoingEvent(tx, { type, customerId, businessKey: `${type}:${randomBytes(6).toString('hex')}`, data, occurredAt: now, now }));
  if (!recorded) throw new Error('the event was not recorded');
  return recorded;
}
