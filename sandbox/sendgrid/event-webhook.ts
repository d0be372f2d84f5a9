import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { SandboxContext } from '../core/sandbox-provider.ts';

/** The event types of SendGrid's Event Webhook settings; the sandbox raises the first four. */
export const eventTypes = ['processed', 'delivered', 'bounce', 'dropped', 'deferred', 'open', 'click', 'spam_report', 'unsubscribe', 'group_unsubscribe', 'group_resubscribe'] as const;
export type EventType = (typeof eventTypes)[number];

export type EventWebhookSettings = { enabled: boolean; url: string } & Record<EventType, boolean>;

export type SendgridEvent = { email: string; timestamp: number; event: EventType; sg_event_id: string; sg_message_id: string } & Record<string, unknown>;

export const signatureHeader = 'X-Twilio-Email-Event-Webhook-Signature';
export const timestampHeader = 'X-Twilio-Email-Event-Webhook-Timestamp';

export function newEventId(): string {
  return randomBytes(16).toString('base64');
}

/**
 * SendGrid's Event Webhook: one setting per event type, and a signature over timestamp+payload
 * with an ECDSA P-256 key the sandbox makes at start. Signing is on from the start (live
 * SendGrid makes you switch it on) because recur verifies every callback; PATCH .../signed can
 * turn it off. The event types the sandbox raises start switched on, so setting a URL suffices.
 */
export class EventWebhook {
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  /** Base64 of the DER public key, as GET /v3/user/webhooks/event/settings/signed returns it. */
  readonly publicKey = this.keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  private settings: EventWebhookSettings;
  private signed = true;

  constructor(
    private readonly ctx: SandboxContext,
    private readonly defaultUrl: string | undefined,
  ) {
    this.settings = this.initialSettings();
  }

  current(): EventWebhookSettings {
    return { ...this.settings };
  }

  update(patch: Partial<EventWebhookSettings>): EventWebhookSettings {
    this.settings = { ...this.settings, ...patch };
    return this.current();
  }

  isSigned(): boolean {
    return this.signed;
  }

  setSigned(enabled: boolean): void {
    this.signed = enabled;
  }

  reset(): void {
    this.settings = this.initialSettings();
    this.signed = true;
  }

  /** POSTs one batch (a JSON array) of the events the settings ask for, signed at every attempt. */
  publish(events: SendgridEvent[]): void {
    const { enabled, url } = this.settings;
    const wanted = events.filter((event) => this.settings[event.event]);
    if (!enabled || !url || wanted.length === 0) return;
    const body = JSON.stringify(wanted);
    this.ctx.webhooks.send({
      provider: 'sendgrid',
      eventId: wanted[0]!.sg_event_id,
      url,
      body,
      headers: () => {
        const headers: Record<string, string> = { 'user-agent': 'SendGrid Event API' };
        if (!this.signed) return headers;
        const timestamp = String(this.ctx.clock.nowSeconds());
        headers[signatureHeader] = sign('sha256', Buffer.from(timestamp + body), this.keys.privateKey).toString('base64');
        headers[timestampHeader] = timestamp;
        return headers;
      },
    });
  }

  private initialSettings(): EventWebhookSettings {
    const raised = new Set<EventType>(['processed', 'delivered', 'bounce', 'dropped']);
    const types = Object.fromEntries(eventTypes.map((type) => [type, raised.has(type)])) as Record<EventType, boolean>;
    return { enabled: Boolean(this.defaultUrl), url: this.defaultUrl ?? '', ...types };
  }
}
