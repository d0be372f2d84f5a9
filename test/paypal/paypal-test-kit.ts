import type { Client } from '@paypal/paypal-server-sdk';
import type { RunningSandbox } from '../../sandbox/core/start-sandbox.ts';
import { defaultPaypalCredentials } from '../../sandbox/paypal/paypal-sandbox.ts';
import { settingsSchema } from '../../src/config/settings-schema.ts';
import type { DatabaseKind } from '../../src/db/database.ts';
import { createPaypalClient } from '../../src/providers/payments/paypal/create-paypal-client.ts';
import { createPaypalGateway } from '../../src/providers/payments/paypal/create-paypal-gateway.ts';
import { createPaypalProvider } from '../../src/providers/payments/paypal/paypal-provider.ts';
import type { ProviderOperations } from '../../src/providers/payments/provider-operations.ts';
import { createStripeGateway } from '../../src/providers/payments/stripe/create-stripe-gateway.ts';
import { createStripeProvider } from '../../src/providers/payments/stripe/stripe-provider.ts';
import { createPaymentProviders } from '../../src/services/payment-providers.ts';
import { syncPlansToProvider } from '../../src/services/sync/sync-plans-to-providers.ts';
import type { Clock } from '../../src/shared/clock.ts';
import { paypalSdk, startPaypalSandbox } from '../sandbox/paypal/paypal-kit.ts';
import { startStripe, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { startTestApp, type TestApp, type TestAppOptions } from '../support/test-app.ts';

export const PUBLIC_BASE_URL = 'http://recur.test';
export const SHOP_NAME = 'Sportwinkel';

/** recur's PayPal gateway against the sandbox, as `recur start` builds it from PAYPAL_* settings. */
export function paypalGatewayFor(sandbox: RunningSandbox, clock: Clock): ProviderOperations {
  const settings = settingsSchema.parse({
    PAYPAL_CLIENT_ID: defaultPaypalCredentials.clientId,
    PAYPAL_CLIENT_SECRET: defaultPaypalCredentials.clientSecret,
    PAYPAL_WEBHOOK_ID: 'WH-RECUR-TEST',
    PAYPAL_API_BASE: `${sandbox.url}/paypal`,
  });
  return createPaypalGateway(createPaypalClient(settings, clock)!, { brandName: SHOP_NAME });
}

export type PaypalTestApp = { sandbox: RunningSandbox; paypal: Client; gateway: ProviderOperations; t: TestApp; stripe: StripeKit | null; stop(): Promise<void> };

/**
 * The PayPal sandbox and a recur app whose checkout uses it (and Stripe's sandbox beside it when
 * `withStripe`), with the catalogue synced to both. The sandbox and the app start at the same instant.
 */
export async function startPaypalTestApp(kind: DatabaseKind, options: TestAppOptions & { withStripe?: boolean } = {}): Promise<PaypalTestApp> {
  const sandbox = await startPaypalSandbox();
  const t = await startTestApp(kind, options);
  const gateway = paypalGatewayFor(sandbox, t.ctx.clock);
  const stripe = options.withStripe ? await startStripe({}, t.ctx.clock.now()) : null;
  const stripeGateway = stripe ? createStripeGateway(stripe.stripe) : null;
  t.ctx.payments = createPaymentProviders([...(stripeGateway ? [createStripeProvider(stripeGateway)] : []), createPaypalProvider(gateway)], PUBLIC_BASE_URL);
  await syncPlansToProvider(gateway, t.ctx.config.catalogue.plans, t.ctx.config.DEFAULT_LOCALE);
  if (stripeGateway) await syncPlansToProvider(stripeGateway, t.ctx.config.catalogue.plans, t.ctx.config.DEFAULT_LOCALE);
  return {
    sandbox,
    paypal: paypalSdk(sandbox.url),
    gateway,
    t,
    stripe,
    async stop() {
      await t.close();
      await sandbox.stop();
      await stripe?.stop();
    },
  };
}

