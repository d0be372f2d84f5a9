import { isLoopbackSandbox } from '../../../config/paypal-api-base.ts';
import type { Settings } from '../../../config/settings-schema.ts';

/** PayPal's own pages for payers, by PAYPAL_MODE: where a payer manages automatic payments. */
const AUTOPAY_PAGES = { live: 'https://www.paypal.com/myaccount/autopay/', sandbox: 'https://www.sandbox.paypal.com/myaccount/autopay/' } as const;

/**
 * Where a PayPal payer changes what pays a subscription: PayPal offers no session recur could open
 * for that (no billing portal), so the payer does it in their own account, under automatic
 * payments. The local sandbox serves a stand-in of that page beside its API.
 */
export function paypalPaymentMethodPageUrl(settings: Pick<Settings, 'PAYPAL_MODE' | 'PAYPAL_API_BASE'>): string {
  if (isLoopbackSandbox(settings) && settings.PAYPAL_API_BASE) return `${settings.PAYPAL_API_BASE.replace(/\/+$/, '')}/myaccount/autopay/`;
  return AUTOPAY_PAGES[settings.PAYPAL_MODE];
}
