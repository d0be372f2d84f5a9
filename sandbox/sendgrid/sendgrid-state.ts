import type { SandboxContext } from '../core/sandbox-provider.ts';
import type { EventWebhook } from './event-webhook.ts';
import type { MailStore } from './mail-store.ts';

export type SendgridOptions = {
  /** The one API key the sandbox accepts as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** Where the Event Webhook posts until PATCH /v3/user/webhooks/event/settings says otherwise. */
  eventWebhookUrl?: string;
  /** SendGrid refuses a message over 30 MB with 413; tests lower it. */
  maxBodyBytes: number;
};

/** What the SendGrid routes share: options, the stored mail and the Event Webhook. */
export type SendgridState = {
  ctx: SandboxContext;
  options: SendgridOptions;
  store: MailStore;
  webhook: EventWebhook;
  /** Plays out every envelope whose send time has come (now, for mail without send_at). */
  deliverDue: () => void;
};
