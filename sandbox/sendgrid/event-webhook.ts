import { createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { SandboxContext } from '../core/sandbox-provider.ts';

/** The event types of SendGrid's Event Webhook settings; the sandbox raises the first four. */
export const eventTypes = ['processed', 'delivered', 'bounce', 'dropped', 'deferred', 'open', 'click', 'spam_report', 'unsubscribe', 'group_unsubscribe', 'group_resubscribe'] as const;
export type EventType = (typeof eventTypes)[number];

export type EventWebhookSettings = { enabled: boolean; url: string } & Record<EventType, boolean>;

export type SendgridEvent = { email: string; timestamp: number; event: EventType; sg_event_id: string; sg_message_id: string } & Record<string, unknown>;

/**
 * What a restarted sandbox needs to post and sign as before; the key is PKCS#8 PEM. The URL that
 * was configured at the time tells a URL set through the API from a configuration since changed.
 */
export type EventWebhookSnapshot = { settings: EventWebhookSettings; signed: boolean; privateKey: string; configuredUrl: string | null };

export const signatureHeader = 'X-Twilio-Email-Event-Webhook-Signature';
export const timestampHeader = 'X-Twilio-Email-Event-Webhook-Timestamp';

export function newEventId(): string {
  return randomBytes(16).toString('base64');
}

/**
 * SendGrid's Event Webhook: one setting per event type, and a signature over timestamp+payload
 * with an ECDSA P-256 key the sandbox makes at its first start (a state file keeps it). Signing
 * is on from the start (live SendGrid makes you switch it on) because recur verifies every
 * callback; PATCH .../signed can turn it off. The event types the sandbox raises start switched on, so setting a URL suffices.
 */
export class EventWebhook {
  private privateKey: KeyObject = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  private settings: EventWebhookSettings;
  private signed = true;

  constructor(
    private readonly ctx: SandboxContext,
    private readonly defaultUrl: string | undefined,
  ) {
    this.settings = this.initialSettings();
  }

  /** Base64 of the DER public key, as GET /v3/user/webhooks/event/settings/signed returns it. */
  get publicKey(): string {
    return createPublicKey(this.privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
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

  /** Keeps the key: recur already trusts its public half, and a reset must not break that. */
  reset(): void {
    this.settings = this.initialSettings();
    this.signed = true;
  }

  snapshot(): EventWebhookSnapshot {
    const privateKey = this.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    return { settings: this.current(), signed: this.signed, privateKey, configuredUrl: this.defaultUrl ?? null };
  }

  /** Takes a validated snapshot whose key is already imported (see sendgrid-snapshot.ts). */
  restore(snapshot: Omit<EventWebhookSnapshot, 'privateKey'> & { privateKey: KeyObject }): void {
    this.settings = { ...snapshot.settings };
    this.signed = snapshot.signed;
    this.privateKey = snapshot.privateKey;
    // A demo restarted with another configured URL gets its events there; otherwise the API's word stands.
    if (this.defaultUrl && this.defaultUrl !== snapshot.configuredUrl) this.settings = { ...this.settings, enabled: true, url: this.defaultUrl };
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
        headers[signatureHeader] = sign('sha256', Buffer.from(timestamp + body), this.privateKey).toString('base64');
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
