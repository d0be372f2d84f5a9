import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import { subscriptionExample } from '../../src/http/api-examples.ts';
import type { OutgoingReceiver } from './outgoing-receiver-process.ts';
import { benchEventType } from './record-bench-events.ts';

export type Throughput = { delivered: number; seconds: number; perSecond: number; p50Ms: number; p99Ms: number };

export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1))]!;
}

function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    // A new connection per request, as recur's delivery makes (agent: false): the floor differs by the database alone.
    const sent = request(url, { method: 'POST', agent: false, headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } });
    sent.on('error', reject);
    sent.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    sent.end(body);
  });
}

/**
 * The floor: the same events posted straight to the same receiver by a plain loop, signed with
 * `standardwebhooks` per request, one request at a time per endpoint and the endpoints side by
 * side (the concurrency recur's lanes have), no database. From the first request to the last answer.
 */
export async function postDirectly(receiver: OutgoingReceiver, input: { events: number; endpointOf: (type: string) => number; endpoints: number }): Promise<Throughput> {
  const secrets = Array.from({ length: input.endpoints }, () => `whsec_${randomBytes(32).toString('base64')}`);
  await receiver.setSecrets(secrets);
  const queues: number[][] = secrets.map(() => []);
  for (let index = 0; index < input.events; index++) queues[input.endpointOf(benchEventType(index))]!.push(index);
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    queues.map(async (queue, endpoint) => {
      const signer = new Webhook(secrets[endpoint]!);
      for (const index of queue) {
        const at = performance.now();
        const id = `evt_floor_${index}`;
        const body = JSON.stringify({ type: benchEventType(index), timestamp: new Date().toISOString(), data: { ...subscriptionExample, sequence: index + 1, customer: `shop-${index}` } });
        const signedAt = new Date();
        const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)), 'webhook-signature': signer.sign(id, signedAt, body) };
        const status = await post(receiver.hookUrl(endpoint), body, headers);
        if (status !== 204) throw new Error(`the receiver answered the floor ${status}`);
        latencies.push(performance.now() - at);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { delivered: latencies.length, seconds, perSecond: latencies.length / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
}
