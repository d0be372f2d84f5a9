/**
 * What happens to mail for an address. Like Stripe's test cards, a few addresses fail on
 * purpose so that bounce and drop handling can be exercised; every other address is delivered.
 * - a local part starting with `bounce` (bounce@x.nl, bounce+1@x.nl) or any address at the
 *   domain `bounce.test`: processed, then a hard bounce (550 5.1.1)
 * - a local part starting with `dropped` (dropped@x.nl): dropped before processing, as SendGrid
 *   drops an address on its bounce suppression list ("Bounced Address")
 * The outcome depends on the address only: the same address fails the same way every time.
 */
export type RecipientOutcome = 'delivered' | 'bounce' | 'dropped';

export const magicAddresses = {
  bounce: 'a local part starting with "bounce", or any address @bounce.test',
  dropped: 'a local part starting with "dropped"',
  delivered: 'every other address',
} as const;

export function outcomeFor(email: string): RecipientOutcome {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at).toLowerCase();
  const domain = email.slice(at + 1).toLowerCase();
  if (local.startsWith('dropped')) return 'dropped';
  if (local.startsWith('bounce') || domain === 'bounce.test') return 'bounce';
  return 'delivered';
}
