import { readdirSync } from 'node:fs';
import qs from 'qs';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReference } from '../../support/reference.ts';
import { advanceDays, flushWebhooks, listenToAll, startStripe, type StripeKit, type WebhookReceiver } from './stripe-kit.ts';

type Step = { name: string; path: string; method: string; params?: Record<string, unknown>; expected_error_type?: string };
type Fixture = { _meta: { aliases?: string[] }; fixtures: Step[] };

const triggerDir = new URL('../../reference/stripe/triggers/', import.meta.url);
const triggers = readdirSync(triggerDir).filter((file) => file.endsWith('.json')).sort();

function lookupPath(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), value);
}

/** `${customer:id}` and `${disputes_list:data.0.id}` refer to fields of earlier responses. */
function resolve<T>(value: T, responses: Map<string, unknown>): T {
  if (typeof value === 'string') {
    return value.replace(/\$\{([^:}]+):([^}]+)\}/g, (_match, name: string, path: string) => String(lookupPath(responses.get(name), path))) as T;
  }
  if (Array.isArray(value)) return value.map((item) => resolve(item, responses)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item, responses)])) as T;
  return value;
}

/**
 * The CLI sends its fixtures under its own, older API version; the SDK's pinned version renamed
 * `payment_method_types` (payment intents, checkout sessions) to `allowed_payment_method_types`,
 * and the sandbox refuses the old name as Stripe does under that version.
 */
function inPinnedVersion(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key.replace(/^payment_method_types\b/, 'allowed_payment_method_types'), value]));
}

/** The CLI's subscription.* triggers are named after what they do; the events are the invoice ones. */
function expectedEvents(file: string, fixture: Fixture): string[] {
  const name = file.replace(/\.json$/, '');
  const primary = name.startsWith('subscription.') ? `invoice.${name.slice('subscription.'.length)}` : name;
  return [primary, ...(fixture._meta.aliases ?? [])];
}

describe("Stripe's own CLI trigger fixtures replay against the sandbox through the SDK", () => {
  let kit: StripeKit;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    kit = await startStripe({}, new Date());
    receiver = await listenToAll(kit);
  });
  afterAll(async () => {
    await receiver.close();
    await kit.stop();
  });

  it('has the fixtures', () => {
    expect(triggers.length).toBeGreaterThanOrEqual(34);
  });

  it.each(triggers)('%s', async (file) => {
    const fixture = JSON.parse(readReference(`stripe/triggers/${file}`)) as Fixture;
    const from = receiver.deliveries.length;
    const responses = new Map<string, unknown>();
    for (const step of fixture.fixtures) {
      const path = resolve(step.path, responses);
      const params = inPinnedVersion(resolve(step.params ?? {}, responses));
      const method = step.method.toUpperCase();
      const request =
        method === 'POST'
          ? kit.stripe.rawRequest('POST', path, params)
          : kit.stripe.rawRequest(method, Object.keys(params).length > 0 ? `${path}?${qs.stringify(params)}` : path);
      if (step.expected_error_type) {
        const error = await request.then(() => null, (failure: unknown) => failure);
        expect(error, `${step.name} should fail`).toBeInstanceOf(Stripe.errors.StripeError);
        expect((error as Stripe.errors.StripeError).rawType, step.name).toBe(step.expected_error_type);
        continue;
      }
      responses.set(step.name, await request);
    }
    // Asynchronous outcomes (a SEPA debit settling) follow the clock, as in Stripe.
    await advanceDays(kit.sandbox, 1);
    await flushWebhooks(kit.sandbox);
    const delivered = receiver.deliveries.slice(from).map((delivery) => delivery.event.type);
    for (const type of expectedEvents(file, fixture)) expect(delivered, `${file}: ${delivered.join(', ')}`).toContain(type);
  });
});
