import type { ApplyMeasure } from './measure-applied.ts';
import type { DeliveryMeasure } from './measure-delivery.ts';

const pct = (share: number | null) => (share === null ? '?' : `${Math.round(share * 100)}%`);
const ms = (value: number) => (Number.isNaN(value) ? '?' : value.toFixed(1));

/** The bench's table for people: delivery beside its floor, then applied events with and without an endpoint. */
export function formatOutgoingReport(delivery: DeliveryMeasure[], cost: (ApplyMeasure & { round: number })[]): string[] {
  const lines = [
    `delivery: events recorded before the run, the delivery worker of \`recur start\` until the receiver (own process, verifies with standardwebhooks, 204 after its latency) has all or the cap is reached (left: not received by then); floor: a plain loop, same receiver and concurrency, no database; node ${process.version}`,
    `${'engine'.padEnd(9)}${'endpoints'.padStart(10)}${'latency'.padStart(9)}${'events'.padStart(8)}${'events/s'.padStart(10)}${'floor/s'.padStart(9)}${'x floor'.padStart(9)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'floor p50'.padStart(10)}${'stmts/event'.padStart(12)}${'CPU'.padStart(6)}${'left'.padStart(7)}`,
  ];
  for (const row of delivery) {
    lines.push(
      `${row.engine.padEnd(9)}${String(row.endpoints).padStart(10)}${`${row.receiverLatencyMs} ms`.padStart(9)}${String(row.events).padStart(8)}${row.recur.perSecond.toFixed(0).padStart(10)}${row.floor.perSecond.toFixed(0).padStart(9)}${row.xFloor.toFixed(2).padStart(9)}${ms(row.recur.p50Ms).padStart(8)}${ms(row.recur.p99Ms).padStart(8)}${ms(row.floor.p50Ms).padStart(10)}${row.recur.statementsPerDelivery.toFixed(1).padStart(12)}${pct(row.recur.cpu).padStart(6)}${String(row.recur.left).padStart(7)}`,
    );
  }
  if (cost.length > 0) {
    lines.push('added cost: customer.subscription.updated + invoice.paid events applied by the worker with the Stripe processor (local sandbox), without and with one endpoint for * delivered meanwhile');
    lines.push(`${'engine'.padEnd(9)}${'round'.padStart(5)}  ${'endpoint'.padEnd(10)}${'applied/s'.padStart(10)}${'ratio'.padStart(7)}${'stmts/event'.padStart(12)}${'extra'.padStart(7)}${'recorded/event'.padStart(15)}${'deliveries'.padStart(11)}${'received'.padStart(9)}`);
    for (const row of cost) {
      const without = cost.find((other) => other.engine === row.engine && other.round === row.round && !other.endpoint);
      const ratio = without ? (row.appliedPerSecond / without.appliedPerSecond).toFixed(2) : '?';
      const extra = without ? (row.statementsPerAppliedEvent - without.statementsPerAppliedEvent).toFixed(1) : '?';
      const applied = row.statuses['processed'] ?? 0;
      lines.push(
        `${row.engine.padEnd(9)}${String(row.round).padStart(5)}  ${(row.endpoint ? 'one, *' : 'none').padEnd(10)}${row.appliedPerSecond.toFixed(0).padStart(10)}${ratio.padStart(7)}${row.statementsPerAppliedEvent.toFixed(1).padStart(12)}${extra.padStart(7)}${(applied > 0 ? row.outgoingEvents / applied : 0).toFixed(2).padStart(15)}${String(row.deliveries).padStart(11)}${String(row.received).padStart(9)}`,
      );
    }
  }
  for (const engine of [...new Set(cost.map((row) => row.engine))]) {
    const ratios = cost.filter((row) => row.engine === engine && row.endpoint).map((row) => row.appliedPerSecond / cost.find((other) => other.engine === engine && other.round === row.round && !other.endpoint)!.appliedPerSecond);
    lines.push(`${engine}: applied/s with an endpoint / without, median of ${ratios.length} pairs: ${median(ratios).toFixed(2)} (pairs: ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')})`);
  }
  return lines;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
