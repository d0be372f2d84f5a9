import type { Clock } from '../../../shared/clock.ts';

export type PaypalToken = { accessToken: string; expiresInSeconds: number };

export type PaypalTokenCache = {
  /** The cached token while it has life left, else a new one (one request however many callers wait). */
  get(): Promise<string>;
  /** PayPal refused `rejected`: a new token, unless another caller already replaced it. */
  refresh(rejected: string): Promise<string>;
};

/** Renew this long before PayPal's expiry (or at half the lifetime of a short-lived token), so no request leaves with a token about to die. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

/** The client-credentials token, kept until shortly before its `expires_in` as measured by recur's clock. */
export function createPaypalTokenCache({ clock, requestToken }: { clock: Clock; requestToken: () => Promise<PaypalToken> }): PaypalTokenCache {
  let current: { accessToken: string; renewAt: number } | null = null;
  let pending: Promise<string> | null = null;

  const renew = (): Promise<string> => {
    pending ??= (async () => {
      try {
        const obtainedAt = clock.now().getTime();
        const token = await requestToken();
        const lifetimeMs = token.expiresInSeconds * 1000;
        current = { accessToken: token.accessToken, renewAt: obtainedAt + lifetimeMs - Math.min(RENEW_BEFORE_EXPIRY_MS, lifetimeMs / 2) };
        return token.accessToken;
      } finally {
        pending = null;
      }
    })();
    return pending;
  };

  return {
    get() {
      if (current && clock.now().getTime() < current.renewAt) return Promise.resolve(current.accessToken);
      return renew();
    },
    refresh(rejected) {
      if (current && current.accessToken !== rejected) return Promise.resolve(current.accessToken);
      current = null;
      return renew();
    },
  };
}
