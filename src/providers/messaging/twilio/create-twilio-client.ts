import type twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { twilioSdk } from './twilio-sdk.ts';

export type TwilioConnection = {
  accountSid: string;
  authToken: string;
  /** Another base URL than api.twilio.com (the sandbox: http://127.0.0.1:12111/twilio). */
  apiBase?: string | undefined;
};

/** A slow Twilio must not hold a delivery claim for long; the outbox retries later instead. */
const REQUEST_TIMEOUT_MS = 15_000;

const TWILIO_API = 'https://api.twilio.com';

/**
 * The SDK's own RequestClient with api.twilio.com rewritten to another base: the SDK has no
 * base-URL option, and its region/edge settings cannot point at a local server. A class made
 * when first needed, as the SDK is loaded then (twilio-sdk.ts).
 */
function createRebasedRequestClient(apiBase: string): RequestClient {
  class RebasedRequestClient extends twilioSdk().RequestClient {
    override request<TData>(opts: RequestClient.RequestOptions<TData>) {
      return super.request<TData>({ ...opts, uri: opts.uri.replace(TWILIO_API, apiBase) });
    }
  }
  return new RebasedRequestClient({ timeout: REQUEST_TIMEOUT_MS });
}

/** The official SDK; its 429 auto-retry stays off, as the outbox owns retries and their timing. */
export function createTwilioClient({ accountSid, authToken, apiBase }: TwilioConnection): twilio.Twilio {
  const sdk = twilioSdk();
  const httpClient = apiBase ? createRebasedRequestClient(apiBase.replace(/\/+$/, '')) : new sdk.RequestClient({ timeout: REQUEST_TIMEOUT_MS });
  return sdk(accountSid, authToken, { httpClient });
}
