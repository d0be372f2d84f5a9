import type { SendResult } from '../messaging.ts';

/** What the SDK's RestException (and its RFC 9457 TwilioServiceException) carry. */
type TwilioApiError = Error & { status: number; code?: number | undefined };

const OPTED_OUT = 21610;
const AUTHENTICATION_FAILED = 20003;
const TOO_MANY_REQUESTS = 20429;
/** The From number's queue is full: Twilio refuses now and accepts once it has drained. */
const QUEUE_FULL = 21611;

/**
 * Twilio's answers to Create Message in the messaging interface's words. A 4xx is about this
 * message (bad or unreachable number, opted out, body too long) and will be refused again, so
 * it is 'rejected' with Twilio's code; what passes (429, 5xx, a full queue, the network) and
 * wrong credentials (an admin fixes them, then the same SMS goes out) are 'retry'. Anything
 * that is neither an API answer nor a network failure is a bug in recur and is thrown on.
 */
export function classifyTwilioFailure(error: unknown): SendResult {
  if (isTwilioApiError(error)) {
    const { status, code } = error;
    if (code === OPTED_OUT) return { kind: 'rejected', code: String(OPTED_OUT), reason: 'the recipient opted out of SMS (replied STOP)', optedOut: true };
    if (code === AUTHENTICATION_FAILED || status === 401) {
      return { kind: 'retry', reason: 'Twilio refused the credentials (20003): check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN', retryAfterSeconds: null };
    }
    if (status === 429 || code === TOO_MANY_REQUESTS) return { kind: 'retry', reason: 'Twilio is rate limiting recur (429)', retryAfterSeconds: null };
    if (code === QUEUE_FULL) return { kind: 'retry', reason: `Twilio's queue for the sender is full (${QUEUE_FULL})`, retryAfterSeconds: null };
    if (status >= 400 && status < 500) {
      return { kind: 'rejected', code: String(code ?? status), reason: `Twilio refused the SMS (${code ?? status}): ${error.message}`, optedOut: false };
    }
    return { kind: 'retry', reason: `Twilio answered ${status}${code ? ` (${code})` : ''}`, retryAfterSeconds: null };
  }
  if (isNetworkError(error)) return { kind: 'retry', reason: `Twilio could not be reached (${error.code ?? error.message})`, retryAfterSeconds: null };
  throw error;
}

/** Duck-typed: the SDK does not export TwilioServiceException, and both share these fields. */
export function isTwilioApiError(error: unknown): error is TwilioApiError {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number' && !isNetworkError(error);
}

/** axios (inside the SDK's RequestClient) marks its own failures: refused connections, resets, timeouts. */
function isNetworkError(error: unknown): error is Error & { code?: string } {
  return error instanceof Error && (error as { isAxiosError?: unknown }).isAxiosError === true;
}
