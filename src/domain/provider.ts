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
