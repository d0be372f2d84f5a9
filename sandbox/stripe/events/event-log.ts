import type Stripe from 'stripe';
import type { SandboxContext } from '../../core/sandbox-provider.ts';
import type { Timekeeper } from '../runtime.ts';
import type { StripeSettings } from '../settings.ts';
import { newId } from '../state/ids.ts';
import type { StoredEvent, StoredWebhookEndpoint, StripeState } from '../state/stripe-state.ts';
import { currentRequest } from '../wire/request-context.ts';
import { signatureHeader } from './sign-payload.ts';

export const EVENT_RETENTION_SECONDS = 30 * 86_400;
const PRUNE_EVERY = 1000;

type EventSubject = { id: string; object: string; customer?: unknown; test_clock?: unknown };

export function endpointWants(endpoint: StoredWebhookEndpoint, type: string): boolean {
  return endpoint.status === 'enabled' && (endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(type));
}

/** Records every state change as a Stripe event and posts it, signed, to each endpoint that wants it. */
export class EventLog {
  /** Events recorded so far; every PRUNE_EVERY-th prunes. A snapshot keeps it, so a restart keeps that rhythm. */
  recorded = 0;

  constructor(
    private readonly state: StripeState,
    private readonly sandbox: SandboxContext,
    private readonly settings: StripeSettings,
    private readonly time: Timekeeper,
  ) {}

  /** `previous` is Stripe's `data.previous_attributes`: the old values of what changed. */
  /** Typed with the pinned version's event types: an event Stripe no longer sends fails typecheck. */
  record(type: Stripe.Event.Type, subject: EventSubject, previous?: Record<string, unknown>): StoredEvent {
    const endpoints = this.state.webhookEndpoints.filter((endpoint) => endpointWants(endpoint, type));
    const event: StoredEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: this.settings.apiVersion,
      created: this.time.nowOnClock(this.clockOf(subject)),
      data: { object: structuredClone(subject) as Record<string, unknown>, ...(previous ? { previous_attributes: structuredClone(previous) } : {}) },
      livemode: false,
      pending_webhooks: endpoints.length,
      request: currentRequest(),
      type,
    };
    this.state.events.add(event);
    for (const endpoint of endpoints) this.deliver(event, endpoint);
    if (++this.recorded % PRUNE_EVERY === 0) this.prune();
    return event;
  }

  /** Deliveries still waiting, per event id (Stripe's live `pending_webhooks`). */
  pendingWebhooks(): Map<string, number> {
    const pending = new Map<string, number>();
    for (const delivery of this.sandbox.webhooks.deliveries()) {
      if (delivery.provider === 'stripe' && delivery.status === 'pending') pending.set(delivery.eventId, (pending.get(delivery.eventId) ?? 0) + 1);
    }
    return pending;
  }

  private deliver(event: StoredEvent, endpoint: StoredWebhookEndpoint): void {
    const body = JSON.stringify({ ...event, api_version: endpoint.api_version ?? this.settings.apiVersion }, null, 2);
    this.sandbox.webhooks.send({
      provider: 'stripe',
      eventId: event.id,
      url: endpoint.url,
      body,
      // Signed at each attempt with the sandbox time of that attempt, as Stripe signs each retry anew.
      headers: () => ({
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        'stripe-signature': signatureHeader(body, endpoint.secret, this.sandbox.clock.nowSeconds()),
      }),
    });
  }

  private clockOf(subject: EventSubject): string | null {
    if (typeof subject.test_clock === 'string') return subject.test_clock;
    if (subject.object === 'test_helpers.test_clock') return null;
    return typeof subject.customer === 'string' ? this.time.clockOfCustomer(subject.customer) : null;
  }

  /** Stripe keeps events for 30 days. */
  private prune(): void {
    const oldest = this.sandbox.clock.nowSeconds() - EVENT_RETENTION_SECONDS;
    for (const event of this.state.events.all()) if (event.created < oldest) this.state.events.remove(event.id);
  }
}
