import { RecurError, type ErrorCode } from '../../../shared/errors.ts';

/** PayPal's error body: `name`, `message`, `debug_id` and `details[].issue` (every PayPal REST API answers failures in this shape). */
export type PaypalErrorBody = {
  name?: string;
  message?: string;
  debug_id?: string;
  details?: { issue?: string; field?: string; description?: string }[];
  /** The OAuth2 token endpoint answers in RFC 6749's shape instead. */
  error?: string;
  error_description?: string;
};

function codeFor(httpStatus: number): ErrorCode {
  if (httpStatus === 429) return 'provider_rate_limited';
  if (httpStatus === 400 || httpStatus === 422) return 'validation_failed';
  return 'provider_failure';
}

/**
 * A request PayPal refused or failed, in recur's error vocabulary, with what PayPal said about it.
 * The message names the operation, PayPal's name, message, issues and debug_id (what PayPal's
 * support asks for); never the token or a request body.
 */
export class PaypalApiError extends RecurError {
  override name = 'PaypalApiError';
  /** PayPal's HTTP status; 0 when no answer came (network failure, timeout). */
  readonly httpStatus: number;
  readonly paypalName: string | null;
  readonly paypalMessage: string | null;
  readonly debugId: string | null;
  readonly issues: readonly string[];

  constructor(doing: string, httpStatus: number, body: PaypalErrorBody | null, options: { cause?: unknown } = {}) {
    const paypalName = body?.name ?? body?.error ?? null;
    const paypalMessage = body?.message ?? body?.error_description ?? null;
    const issues = (body?.details ?? []).map((detail) => detail.issue).filter((issue): issue is string => typeof issue === 'string');
    const said = [paypalName, paypalMessage].filter(Boolean).join(': ') || 'no error body';
    const issueText = issues.length > 0 ? ` [${issues.join(', ')}]` : '';
    const debug = body?.debug_id ? ` (debug_id ${body.debug_id})` : '';
    const what = httpStatus === 0 ? 'PayPal could not be reached' : `PayPal answered ${httpStatus}`;
    super(codeFor(httpStatus), `${what} while ${doing}: ${said}${issueText}${debug}`, {
      ...options,
      ...(body?.debug_id ? { details: { paypalDebugId: body.debug_id } } : {}),
    });
    this.httpStatus = httpStatus;
    this.paypalName = paypalName;
    this.paypalMessage = paypalMessage;
    this.debugId = body?.debug_id ?? null;
    this.issues = issues;
  }

  /** PayPal does not know the object (an id recur holds that PayPal no longer has, or never had). */
  get isNotFound(): boolean {
    return this.httpStatus === 404 || this.paypalName === 'RESOURCE_NOT_FOUND' || this.issues.includes('INVALID_RESOURCE_ID');
  }
}

/** Parses PayPal's error body, keeping only its documented fields (nothing else of a body reaches a message or a log). */
export function parsePaypalErrorBody(text: string): PaypalErrorBody | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (json === null || typeof json !== 'object') return null;
  const record = json as Record<string, unknown>;
  const text_ = (value: unknown) => (typeof value === 'string' ? value.slice(0, 500) : undefined);
  const details = Array.isArray(record['details'])
    ? record['details'].filter((detail): detail is Record<string, unknown> => detail !== null && typeof detail === 'object').map((detail) => ({ issue: text_(detail['issue']), field: text_(detail['field']), description: text_(detail['description']) }))
    : undefined;
  return {
    name: text_(record['name']),
    message: text_(record['message']),
    debug_id: text_(record['debug_id']),
    details,
    error: text_(record['error']),
    error_description: text_(record['error_description']),
  };
}
