/**
 * The one catalogue of error codes recur answers with. Every failure that reaches a caller is a
 * RecurError with one of these codes; the HTTP layer turns it into
 * `{ "error": { "code", "message", "requestId" } }` with the status given here.
 */
export const errorCatalogue = {
  validation_failed: { status: 400, retryable: false },
  bad_request: { status: 400, retryable: false },
  invalid_signature: { status: 400, retryable: false },
  malformed_json: { status: 400, retryable: false },
  unauthorized: { status: 401, retryable: false },
  forbidden: { status: 403, retryable: false },
  insufficient_scope: { status: 403, retryable: false },
  not_found: { status: 404, retryable: false },
  route_not_found: { status: 404, retryable: false },
  method_not_allowed: { status: 405, retryable: false },
  request_timeout: { status: 408, retryable: true },
  conflict: { status: 409, retryable: false },
  idempotency_key_in_use: { status: 409, retryable: true },
  not_supported_by_provider: { status: 409, retryable: false },
  invalid_link: { status: 400, retryable: false },
  webhook_target_forbidden: { status: 400, retryable: false },
  webhook_target_unresolvable: { status: 400, retryable: false },
  link_expired: { status: 410, retryable: false },
  link_outdated: { status: 409, retryable: false },
  payload_too_large: { status: 413, retryable: false },
  no_prepaid_period: { status: 422, retryable: false },
  idempotency_key_reused: { status: 422, retryable: false },
  uri_too_long: { status: 414, retryable: false },
  unsupported_media_type: { status: 415, retryable: false },
  rate_limited: { status: 429, retryable: true },
  headers_too_large: { status: 431, retryable: false },
  internal_error: { status: 500, retryable: true },
  provider_failure: { status: 502, retryable: true },
  provider_rate_limited: { status: 503, retryable: true },
  not_ready: { status: 503, retryable: true },
  not_configured: { status: 503, retryable: true },
  storage_unavailable: { status: 503, retryable: true },
  verification_unavailable: { status: 503, retryable: true },
} as const satisfies Record<string, { status: number; retryable: boolean }>;

export type ErrorCode = keyof typeof errorCatalogue;

export class RecurError extends Error {
  override name = 'RecurError';
  readonly status: number;
  readonly retryable: boolean;
  /** Ids a program needs to act on the error (answered as `error.details`); never secrets. */
  readonly details: Readonly<Record<string, string>> | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, string> } = {},
  ) {
    super(message, 'cause' in options ? { cause: options.cause } : {});
    this.details = options.details;
    this.status = errorCatalogue[code].status;
    this.retryable = errorCatalogue[code].retryable;
  }
}

export const notFound = (what: string, id: string): RecurError => new RecurError('not_found', `${what} "${id}" does not exist`);
export const conflict = (message: string): RecurError => new RecurError('conflict', message);
export const validationFailed = (message: string): RecurError => new RecurError('validation_failed', message);

/** Unique-index violations are how recur detects duplicates (never "check then insert"). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pgError = error as { code?: string; constraint?: string; message?: string } | null;
  if (pgError?.code !== '23505') return false;
  return constraint === undefined || pgError.constraint === constraint || (pgError.message ?? '').includes(constraint);
}
