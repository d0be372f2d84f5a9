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
import { approveAs, paypalSdk, startPaypalSandbox } from '../sandbox/paypal/paypal-kit.ts';
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


/** A customer's whole way through recur's PayPal checkout: POST /v1/checkout, approval on the hosted page by `payer`, the return. */
export async function subscribeThroughRecur(kit: PaypalTestApp, customer: string, plan: string, payer = 'pays@payers.recur.test'): Promise<{ paypalId: string; subscriptionId: string }> {
  const started = await kit.t.app.inject({ method: 'POST', url: '/v1/checkout', headers: { authorization: kit.t.auth }, payload: { customer, plan, provider: 'paypal', return_url: 'https://shop.example/account' } });
  if (started.statusCode !== 201) throw new Error(`checkout answered ${started.statusCode}: ${started.body}`);
  const { url, session_id: paypalId } = started.json() as { url: string; session_id: string };
  const approved = await approveAs(url, payer);
  const location = approved.headers.get('location');
  if (approved.status !== 302 || !location) throw new Error(`the approval page answered ${approved.status}`);
  const returned = await kit.t.app.inject({ method: 'GET', url: location.replace(PUBLIC_BASE_URL, '') });
  const subscriptionId = new URL(returned.headers.location as string).searchParams.get('subscription');
  if (!subscriptionId) throw new Error(`the return answered ${returned.statusCode} ${String(returned.headers.location)}`);
  return { paypalId, subscriptionId };
}
