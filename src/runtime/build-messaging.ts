import type { Config } from '../config/load-config.ts';
import { createSendgridSender } from '../providers/messaging/sendgrid/create-sendgrid-sender.ts';
import { createSendgridCallbackVerifier } from '../providers/messaging/sendgrid/verify-sendgrid-events.ts';
import { createTwilioSender } from '../providers/messaging/twilio/create-twilio-sender.ts';
import { createTwilioCallbackVerifier } from '../providers/messaging/twilio/verify-twilio-status.ts';
import type { MessagingContext } from '../services/service-context.ts';
import { publicBaseUrlOf } from './public-base-url.ts';

type MessagingSettings = Pick<
  Config,
  | 'SENDGRID_API_KEY'
  | 'SENDGRID_FROM'
  | 'SENDGRID_API_BASE'
  | 'SENDGRID_WEBHOOK_PUBLIC_KEY'
  | 'TWILIO_ACCOUNT_SID'
  | 'TWILIO_AUTH_TOKEN'
  | 'TWILIO_FROM'
  | 'TWILIO_API_BASE'
  | 'PUBLIC_BASE_URL'
  | 'HOST'
  | 'PORT'
>;

/**
 * The senders and callback verifiers for what is configured. A channel without settings has no
 * sender: its rows wait in the outbox (visible in GET /v1/notifications) until it is configured.
 */
export function buildMessaging(config: MessagingSettings, linkSecret: string, previousLinkSecret: string | null = null): MessagingContext {
  const email =
    config.SENDGRID_API_KEY && config.SENDGRID_FROM
      ? createSendgridSender({ apiKey: config.SENDGRID_API_KEY, from: config.SENDGRID_FROM, ...(config.SENDGRID_API_BASE ? { apiBase: config.SENDGRID_API_BASE } : {}) })
      : null;
  const sms =
    config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_FROM
      ? createTwilioSender({ accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN, from: config.TWILIO_FROM, ...(config.TWILIO_API_BASE ? { apiBase: config.TWILIO_API_BASE } : {}) })
      : null;
  return {
    email,
    sms,
    emailCallbacks: config.SENDGRID_WEBHOOK_PUBLIC_KEY ? createSendgridCallbackVerifier(config.SENDGRID_WEBHOOK_PUBLIC_KEY) : null,
    smsCallbacks: config.TWILIO_AUTH_TOKEN ? createTwilioCallbackVerifier(config.TWILIO_AUTH_TOKEN) : null,
    publicBaseUrl: publicBaseUrlOf(config),
    linkSecret,
    previousLinkSecret,
  };
}
