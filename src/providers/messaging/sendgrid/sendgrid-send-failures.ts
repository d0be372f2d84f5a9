import type { SendResult } from '../messaging.ts';

/** The part of @sendgrid/helpers' ResponseError recur reads: the status and SendGrid's answer. */
type SendgridResponseError = { code: number; response: { headers?: Record<string, unknown>; body?: unknown } };

/** Refusals that will be refused again: the request itself is wrong, not SendGrid's state. */
const refusedRequests: Record<number, string> = { 400: 'invalid_request', 413: 'payload_too_large' };

/**
 * Mail Send's failures in the messaging interface's words. Only what SendGrid answered (or a
 * network failure) becomes a result; anything else is a bug in recur and is thrown on.
 * 401/403 are a key that is wrong, revoked or lacks the mail.send scope: an admin fixes the
 * configuration, after which the same notice goes out, so they are 'retry', not 'rejected'.
 * Other 4xx (404 from a wrong base URL, 408) are treated the same way, for the same reason.
 */
export function classifySendgridFailure(error: unknown): SendResult {
  if (isResponseError(error)) {
    const status = error.code;
    const refusal = refusedRequests[status];
    if (refusal) return { kind: 'rejected', code: refusal, reason: `SendGrid refused the mail (${status}): ${errorMessagesOf(error.response.body)}`, optedOut: false };
    if (status === 429) {
      return { kind: 'retry', reason: 'SendGrid is rate limiting recur (429)', retryAfterSeconds: retryAfterSecondsOf(error.response.headers ?? {}) };
    }
    if (status === 401 || status === 403) {
      return { kind: 'retry', reason: `SendGrid refused the API key (${status}): check SENDGRID_API_KEY and its mail.send permission`, retryAfterSeconds: null };
    }
    return { kind: 'retry', reason: `SendGrid answered ${status}`, retryAfterSeconds: null };
  }
  if (isNetworkError(error)) return { kind: 'retry', reason: `SendGrid could not be reached (${error.code ?? error.message})`, retryAfterSeconds: null };
  throw error;
}

function isResponseError(error: unknown): error is SendgridResponseError {
  const candidate = error as Partial<SendgridResponseError> | null;
  return error instanceof Error && typeof candidate?.code === 'number' && typeof candidate.response === 'object' && candidate.response !== null;
}

/** axios (inside @sendgrid/client) marks its own failures: refused connections, resets, timeouts. */
function isNetworkError(error: unknown): error is Error & { code?: string } {
  return error instanceof Error && (error as { isAxiosError?: unknown }).isAxiosError === true;
}

/** SendGrid's `errors[].message` only: the rest of the body is not needed to understand a refusal. */
function errorMessagesOf(body: unknown): string {
  const errors = (body as { errors?: unknown } | null)?.errors;
  const messages = Array.isArray(errors) ? errors.map((entry) => (entry as { message?: unknown } | null)?.message).filter((m): m is string => typeof m === 'string') : [];
  return messages.length > 0 ? messages.join('; ') : 'no reason given';
}

/**
 * Retry-After as delta-seconds, or as an HTTP date measured against the answer's own Date
 * header (so no clock of recur's is needed); null when neither is readable.
 */
export function retryAfterSecondsOf(headers: Record<string, unknown>): number | null {
  const value = headers['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const until = Date.parse(value);
  const answeredAt = typeof headers.date === 'string' ? Date.parse(headers.date) : Number.NaN;
  if (Number.isNaN(until) || Number.isNaN(answeredAt)) return null;
  return Math.max(0, Math.ceil((until - answeredAt) / 1000));
}
