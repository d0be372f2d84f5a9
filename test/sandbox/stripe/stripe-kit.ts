import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startSandbox, type RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { createStripeSandbox } from '../../../sandbox/stripe/stripe-sandbox.ts';
import type { StripeSettingsInput } from '../../../sandbox/stripe/settings.ts';

export const KEY = 'sk_test_recur_sandbox';
export const START = new Date('2026-01-01T00:00:00Z');

export type StripeKit = { sandbox: RunningSandbox; stripe: Stripe; stop: () => Promise<void> };

/** The official SDK pointed at the sandbox: only host, port and protocol differ from production. */
export function sdk(sandbox: RunningSandbox, key = KEY, options: Stripe.StripeConfig = {}): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port: Number(new URL(sandbox.url).port), protocol: 'http', ...options });
}

export async function startStripe(settings: StripeSettingsInput = {}, start = START): Promise<StripeKit> {
  // Short real-time waits between webhook retries: a test that lets a delivery fail must not wait seconds.
  const sandbox = await startSandbox({ providers: [createStripeSandbox(settings)], start, webhookRetryDelaysMs: [20, 40] });
  return { sandbox, stripe: sdk(sandbox), stop: () => sandbox.stop() };
}

/**
 * The payment intent that pays (or tries to pay) an invoice. Since API version basil an invoice
 * has no `payment_intent`: it is reached through `payments`, as recur reaches it.
 */
export async function intentOfInvoice(stripe: Stripe, invoice: string | Stripe.Invoice | null): Promise<Stripe.PaymentIntent> {
  if (!invoice) throw new Error('no invoice');
  const id = typeof invoice === 'string' ? invoice : invoice.id;
  const withPayments = await stripe.invoices.retrieve(id, { expand: ['payments.data.payment.payment_intent'] });
  const intent = withPayments.payments?.data[0]?.payment.payment_intent;
  if (!intent || typeof intent === 'string') throw new Error(`invoice ${id} has no payment intent`);
  return intent;
}

/** Moves the shared sandbox clock through its public control route, as a person or recur's tests would. */
export async function advanceDays(sandbox: RunningSandbox, days: number): Promise<void> {
  const response = await fetch(`${sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ days }) });
  if (!response.ok) throw new Error(`advance failed: ${response.status} ${await response.text()}`);
}

export type Delivery = { body: string; headers: IncomingHttpHeaders; event: Stripe.Event };

export type WebhookReceiver = {
  url: string;
  deliveries: Delivery[];
  types: () => string[];
  close: () => Promise<void>;
};

/**
 * A node:http endpoint that verifies every delivery with the SDK's constructEvent. The signature
 * carries sandbox time, so it is checked against the sandbox clock (`receivedAt`) with Stripe's
 * default 300-second tolerance, not against the wall clock. `sandbox` may be a function, for a
 * receiver that outlives one sandbox (a restart on the same state file).
 */
export async function startReceiver(sandbox: RunningSandbox | (() => RunningSandbox), secret: () => string, stripe: Stripe): Promise<WebhookReceiver> {
  const current = typeof sandbox === 'function' ? sandbox : () => sandbox;
  const deliveries: Delivery[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        const event = stripe.webhooks.constructEvent(body, String(request.headers['stripe-signature']), secret(), 300, undefined, current().ctx.clock.now().getTime());
        deliveries.push({ body, headers: request.headers, event });
        response.statusCode = 200;
      } catch {
        response.statusCode = 400;
      }
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    deliveries,
    types: () => deliveries.map((delivery) => delivery.event.type),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Registers a receiver for every event type and returns it once the endpoint exists. */
export async function listenToAll(kit: StripeKit): Promise<WebhookReceiver> {
  let secret = '';
  const receiver = await startReceiver(kit.sandbox, () => secret, kit.stripe);
  const endpoint = await kit.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
  secret = endpoint.secret!;
  return receiver;
}

/** Waits until every webhook the sandbox queued has been delivered (or has failed for good). */
export async function flushWebhooks(sandbox: RunningSandbox): Promise<void> {
  if (!(await sandbox.ctx.webhooks.flush(60_000))) throw new Error('webhooks still pending after 60 s');
}
