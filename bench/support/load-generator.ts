/**
 * The load generator, run as its own process (so its CPU is not the server's, and is reported):
 * autocannon posting a unique signed `customer.subscription.updated` event on every request, or
 * with `paypal` (the secret then names the signer's JSON file) a unique PayPal
 * BILLING.SUBSCRIPTION.UPDATED signed as PayPal signs. Prints one JSON line with the result.
 *
 *   node --import tsx bench/support/load-generator.ts <url> <secret> <prefix> <seconds> <connections> [stripe|paypal]
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { paypalHeaders, paypalSubscriptionUpdatedBody, withKey, type PaypalSigner } from './paypal-signing.ts';
import { signStripeBody, subscriptionUpdatedBody } from './signed-events.ts';

const [url, secret, prefix, secondsText, connectionsText, provider = 'stripe'] = process.argv.slice(2);
if (!url || !secret || !prefix || !secondsText || !connectionsText || (provider !== 'stripe' && provider !== 'paypal')) {
  process.stderr.write('usage: load-generator.ts <url> <secret> <prefix> <seconds> <connections> [stripe|paypal]\n');
  process.exit(64);
}
const paypal = provider === 'paypal' ? withKey(JSON.parse(readFileSync(secret, 'utf8')) as PaypalSigner) : null;

/** One request's body and headers, signed now (that cost is the generator's, not the server's: a provider signs each delivery). */
function signedRequest(sequence: number): { body: string; headers: Record<string, string> } {
  if (paypal) {
    const now = new Date();
    const body = paypalSubscriptionUpdatedBody(prefix!, sequence, now);
    return { body, headers: { 'content-type': 'application/json', ...paypalHeaders(body, paypal, `${prefix}-${sequence}`, now) } };
  }
  const now = Math.floor(Date.now() / 1000);
  const body = subscriptionUpdatedBody(prefix!, sequence, now);
  return { body, headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signStripeBody(body, secret!, now) } };
}

export type LoadReport = {
  requests: number;
  seconds: number;
  acknowledgedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** CPU the generator itself used, as a share of one core over the run. */
  generatorCpu: number;
};

let sequence = 0;
const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
const result = await autocannon({
  url,
  connections: Number(connectionsText),
  duration: Number(secondsText),
  method: 'POST',
  requests: [
    {
      setupRequest: (request) => ({ ...request, method: 'POST', ...signedRequest(sequence++) }),
    },
  ],
});
const cpu = process.cpuUsage(cpuBefore);
const wallMs = performance.now() - wallBefore;
const acknowledged = result['2xx'];
const report: LoadReport = {
  requests: result.requests.total,
  seconds: result.duration,
  acknowledgedPerSecond: acknowledged / result.duration,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
  generatorCpu: (cpu.user + cpu.system) / 1000 / wallMs,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
