/**
 * The payment providers recur keeps in sync. A closed union so that adding one is a compile
 * error everywhere a provider is handled, not a silent fall-through.
 */
export const PROVIDER_IDS = ['stripe', 'paypal'] as const;

export type ProviderId = (typeof PROVIDER_IDS)[number];

/** For values from outside (URL segments, stored rows) that must be narrowed before use. */
export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

/** The providers recur has an adapter for (src/providers/payments/<id>/); the others are refused with 409. */
export const PROVIDERS_WITH_ADAPTERS: readonly ProviderId[] = ['stripe', 'paypal'];

export function hasAdapter(id: ProviderId): boolean {
  return PROVIDERS_WITH_ADAPTERS.includes(id);
}

/** The settings that configure each provider, for the message when it is missing. */
export const PROVIDER_KEY_SETTINGS: Record<ProviderId, string> = { stripe: 'STRIPE_SECRET_KEY', paypal: 'PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET and PAYPAL_WEBHOOK_ID' };

/** The setting that holds each provider's request budget per second (its rate limit, with room to spare). */
export const PROVIDER_RATE_SETTINGS = { stripe: 'STRIPE_MAX_REQUESTS_PER_SECOND', paypal: 'PAYPAL_MAX_REQUESTS_PER_SECOND' } as const satisfies Record<ProviderId, string>;

const NAMES: Record<ProviderId, string> = { stripe: 'Stripe', paypal: 'PayPal' };

/** The provider's name as customers and admins know it. */
export const providerName = (id: ProviderId): string => NAMES[id];
