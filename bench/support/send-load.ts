import { performance } from 'node:perf_hooks';
import type { SignedEvent } from './signed-events.ts';

export type LoadResult = { events: number; seconds: number; eventsPerSecond: number; p50Ms: number; p99Ms: number; failures: number; statuses: Record<number, number> };

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/**
 * Posts every event to `url` with `concurrency` requests in flight (keep-alive connections, as a
 * provider's sender uses), and measures each acknowledgement from send to answer.
 */
export async function sendLoad(url: string, events: readonly SignedEvent[], concurrency: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  const worker = async () => {
    for (;;) {
      const event = events[next++];
      if (!event) return;
      const started = performance.now();
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': event.signature }, body: event.body });
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const failures = Object.entries(statuses).reduce((sum, [status, n]) => sum + (status === '200' ? 0 : n), 0);
  return { events: events.length, seconds, eventsPerSecond: events.length / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), failures, statuses };
}
