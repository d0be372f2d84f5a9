import type { FaultInjector, SandboxProviderName } from './fault-injection.ts';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dropped';

export type WebhookDelivery = {
  id: number;
  provider: SandboxProviderName;
  eventId: string;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
};

export type WebhookRequest = {
  provider: SandboxProviderName;
  eventId: string;
  /** The event's type, for faults that drop chosen types. */
  eventType?: string;
  url: string;
  body: string;
  /** Called at every attempt: providers sign each attempt with a fresh timestamp. */
  headers: () => Record<string, string>;
};

type Pending = WebhookDelivery & { request: WebhookRequest; notBefore: number; inFlight?: boolean };

export type DispatcherOptions = {
  faults: FaultInjector;
  /** Real-time waits between attempts. Providers retry over days; the sandbox compresses that. */
  retryDelaysMs?: number[];
  timeoutMs?: number;
};

/**
 * Posts provider webhooks to their endpoints, one at a time in the order they were raised (unless
 * a shuffle fault is on), retrying non-2xx answers with backoff. Deliveries run in real time in
 * the background; `flush` waits for them, which is what tests use after moving the clock.
 */
export class WebhookDispatcher {
  private readonly queue: Pending[] = [];
  private readonly log: WebhookDelivery[] = [];
  private nextId = 1;
  private pumping: Promise<void> | null = null;
  private readonly retryDelaysMs: number[];
  private readonly timeoutMs: number;
  private generation = 0;

  constructor(private readonly options: DispatcherOptions) {
    this.retryDelaysMs = options.retryDelaysMs ?? [200, 500, 1000, 2000, 4000];
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  send(request: WebhookRequest): void {
    const { copies } = this.options.faults.forWebhook(request.provider, request.eventType);
    if (copies === 0) {
      this.log.push({ ...this.record(request), status: 'dropped' });
      return;
    }
    for (let copy = 0; copy < copies; copy++) {
      const delivery: Pending = { ...this.record(request), request, notBefore: 0 };
      this.queue.push(delivery);
      this.log.push(delivery);
    }
    this.pump();
  }

  deliveries(): WebhookDelivery[] {
    return this.log.map(({ id, provider, eventId, url, status, attempts, lastStatusCode, lastError }) => ({ id, provider, eventId, url, status, attempts, lastStatusCode, lastError }));
  }

  /** Resolves once nothing is pending (delivered, failed for good, or dropped), or after the timeout. */
  async flush(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0) {
      if (Date.now() > deadline) return false;
      await (this.pumping ?? new Promise((resolve) => setTimeout(resolve, 20)));
    }
    return true;
  }

  /**
   * Resolves once every queued delivery has been tried at least once. The clock waits for this
   * after each due moment, so a delivery is signed and received while the clock still shows the
   * moment it belongs to (receivers check the signature's age against that clock); retries of a
   * failing endpoint are not waited for.
   */
  async settleFirstAttempts(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.some((delivery) => delivery.attempts === 0 || delivery.inFlight)) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return true;
  }

  reset(): void {
    this.generation += 1;
    this.queue.length = 0;
    this.log.length = 0;
  }

  private record(request: WebhookRequest): WebhookDelivery {
    return { id: this.nextId++, provider: request.provider, eventId: request.eventId, url: request.url, status: 'pending', attempts: 0, lastStatusCode: null, lastError: null };
  }

  private pump(): void {
    if (this.pumping) return;
    const generation = this.generation;
    this.pumping = this.drain(generation).finally(() => {
      this.pumping = null;
      if (this.queue.length > 0 && generation === this.generation) this.pump();
    });
  }

  private async drain(generation: number): Promise<void> {
    while (this.queue.length > 0 && generation === this.generation) {
      const ready = this.queue.filter((delivery) => delivery.notBefore <= Date.now());
      if (ready.length === 0) {
        const wait = Math.min(...this.queue.map((delivery) => delivery.notBefore)) - Date.now();
        await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 5)));
        continue;
      }
      const shuffle = ready.some((delivery) => this.options.faults.shufflesWebhooks(delivery.provider));
      const next = shuffle ? this.options.faults.shuffle(ready)[0]! : ready[0]!;
      await this.attempt(next);
      if (generation !== this.generation) return;
      if (next.status !== 'pending') this.queue.splice(this.queue.indexOf(next), 1);
    }
  }

  private async attempt(delivery: Pending): Promise<void> {
    delivery.attempts += 1;
    delivery.inFlight = true;
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...delivery.request.headers() },
        body: delivery.request.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer();
      delivery.lastStatusCode = response.status;
      delivery.lastError = response.ok ? null : `HTTP ${response.status}`;
      if (response.ok) {
        delivery.status = 'delivered';
        return;
      }
    } catch (error) {
      delivery.lastError = error instanceof Error ? error.message : String(error);
    } finally {
      delivery.inFlight = false;
    }
    const delay = this.retryDelaysMs[delivery.attempts - 1];
    if (delay === undefined) delivery.status = 'failed';
    else delivery.notBefore = Date.now() + delay;
  }
}
