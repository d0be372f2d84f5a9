import type { SandboxContext } from '../core/sandbox-provider.ts';
import type { PaypalData } from './paypal-state.ts';

export type PaypalCredentials = { clientId: string; clientSecret: string };

/** What every route and the billing of the PayPal emulator work with. */
export type PaypalRuntime = {
  /** Replaced whole on reset and restore: read it through the runtime, never keep a reference. */
  data: PaypalData;
  sandbox: SandboxContext;
  credentials: PaypalCredentials;
  /** The API's base as clients use it: `<sandbox url>/paypal`. */
  apiBase: () => string;
  now: () => Date;
  nowIso: () => string;
};

export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
