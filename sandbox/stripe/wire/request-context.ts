import { AsyncLocalStorage } from 'node:async_hooks';

/** The API request being served, so that events it causes carry `request: { id, idempotency_key }`. */
export type ApiRequestContext = { requestId: string; idempotencyKey: string | null };

const storage = new AsyncLocalStorage<ApiRequestContext>();

export function runInRequest<T>(context: ApiRequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** Work the clock does (renewals, retries) runs outside any request: both fields are null then. */
export function currentRequest(): { id: string | null; idempotency_key: string | null } {
  const context = storage.getStore();
  return { id: context?.requestId ?? null, idempotency_key: context?.idempotencyKey ?? null };
}

/** Runs work as if no request were in progress (follow-up work after a response, clock work). */
export function runOutsideRequest<T>(work: () => T): T {
  return storage.exit(work);
}
