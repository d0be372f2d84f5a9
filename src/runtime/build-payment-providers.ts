import type { Config } from '../config/load-config.ts';
import type { Database } from '../db/database.ts';
import type { ProviderId } from '../domain/provider.ts';
import type { Clock } from '../shared/clock.ts';
import type { EventProcessor } from '../webhooks/inbox-event.ts';
import type { WebhookVerifier } from '../webhooks/webhook-verifier.ts';
import type { PaymentProvider } from '../providers/payments/payment-provider.ts';
import type { ProviderOperations } from '../providers/payments/provider-operations.ts';
import { configuredShopName } from '../config/shop-name.ts';
import { createPaypalClient, type PaypalSettings } from '../providers/payments/paypal/create-paypal-client.ts';
import { createPaypalGateway } from '../providers/payments/paypal/create-paypal-gateway.ts';
import { paypalPaymentMethodPageUrl } from '../providers/payments/paypal/paypal-payment-method-page.ts';
import { createPaypalProvider } from '../providers/payments/paypal/paypal-provider.ts';
import { createStripeClient } from '../providers/payments/stripe/create-stripe-client.ts';
import { createStripeGateway } from '../providers/payments/stripe/create-stripe-gateway.ts';
import { createStripeProvider } from '../providers/payments/stripe/stripe-provider.ts';
import { createStripeWebhookVerifier } from '../providers/payments/stripe/verify-stripe-webhook.ts';
import { createPaypalWebhookVerifierFromSettings, type PaypalWebhookSettings } from '../providers/payments/paypal/create-paypal-webhook-verifier-from-settings.ts';
import { stripeEventDialect } from '../providers/payments/stripe/events/stripe-event-dialect.ts';
import { createProviderEventProcessor } from '../services/sync/create-provider-event-processor.ts';
import { createPaypalEventProcessor } from './create-paypal-event-processor.ts';
import { createPaymentProviders, type PaymentProviders } from '../services/payment-providers.ts';
import type { JobQueue } from '../services/service-context.ts';
import { publicBaseUrlOf } from './public-base-url.ts';
import { createRequestBudget } from '../shared/request-budget.ts';
import { entitlementPolicyOf } from '../services/entitlement/entitlement-policy.ts';

export type BuiltPaymentProviders = {
  /** The registry for `ctx.payments`. */
  payments: PaymentProviders;
  /** One event processor per configured provider that has one, for the webhook context. */
  processors: Partial<Record<ProviderId, EventProcessor>>;
};

type ProviderSettings = Pick<Config, 'STRIPE_SECRET_KEY' | 'STRIPE_API_BASE' | 'PUBLIC_BASE_URL' | 'HOST' | 'PORT' | 'catalogue' | 'DEFAULT_LOCALE' | 'PAST_DUE_GRACE_DAYS' | 'STRIPE_MAX_REQUESTS_PER_SECOND' | 'SHOP_NAME'> & Partial<Pick<Config, 'ENTITLEMENT_WHILE_PROCESSING'>> & PaypalSettings;

type Deps = { db: Database; clock: Clock; jobs: () => JobQueue | undefined };

/**
 * The one place that builds payment providers: each one whose settings are present, with its event
 * processor. A provider's processor shares its gateway, so one client and one request budget cover
 * everything this process sends to it: the worker's re-reads, reconciliation and API-driven changes.
 */
export function buildPaymentProviders(config: ProviderSettings, db: Database, clock: Clock, jobs: () => JobQueue | undefined): BuiltPaymentProviders {
  const deps: Deps = { db, clock, jobs };
  // One line per provider; the order is the checkout default's (the first configured).
  const built = [buildStripe(config, deps), buildPaypal(config, deps)].filter((entry) => entry !== null);
  const processors: Partial<Record<ProviderId, EventProcessor>> = {};
  for (const { provider, processor } of built) if (processor) processors[provider.id] = processor;
  return { payments: createPaymentProviders(built.map((entry) => entry.provider), publicBaseUrlOf(config)), processors };
}

function buildStripe(config: ProviderSettings, { db, clock, jobs }: Deps): { provider: PaymentProvider; processor: EventProcessor | null } | null {
  if (!config.STRIPE_SECRET_KEY) return null;
  const budget = createRequestBudget(config.STRIPE_MAX_REQUESTS_PER_SECOND);
  const provider = createStripeProvider(createStripeGateway(createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE, budget })));
  const processor = createProviderEventProcessor({ dialect: stripeEventDialect, gateway: provider.gateway, db, clock, plans: config.catalogue.plans, entitlementPolicy: entitlementPolicyOf(config), defaultLocale: config.DEFAULT_LOCALE, jobs });
  return { provider, processor };
}

/** PayPal when its client id, secret and webhook id are set, with its event processor (PayPal's dialect) on the same gateway. */
function buildPaypal(config: ProviderSettings, { db, clock, jobs }: Deps): { provider: PaymentProvider; processor: EventProcessor | null } | null {
  const client = createPaypalClient(config, clock);
  if (!client) return null;
  const provider = createPaypalProvider(createPaypalGateway(client, { brandName: configuredShopName(config) }), paypalPaymentMethodPageUrl(config));
  const processor = createPaypalEventProcessor({ gateway: provider.gateway, db, clock, plans: config.catalogue.plans, entitlementPolicy: entitlementPolicyOf(config), defaultLocale: config.DEFAULT_LOCALE, jobs });
  return { provider, processor };
}

/**
 * PayPal's operations for a one-off command (`recur plans sync`); null when PayPal is not configured.
 */
export function buildPaypalOperations(config: PaypalSettings & Pick<Config, 'SHOP_NAME' | 'catalogue'>, clock: Clock): ProviderOperations | null {
  const client = createPaypalClient(config, clock);
  return client ? createPaypalGateway(client, { brandName: configuredShopName(config) }) : null;
}

/**
 * Stripe's operations for a one-off command (`recur plans`, the sandbox's start-up sync): the CLI
 * gets them here, so nothing outside this file and src/providers/ builds a Stripe client.
 */
export function buildStripeOperations(connection: { secretKey: string; apiBase?: string | undefined }): ProviderOperations {
  return createStripeGateway(createStripeClient(connection));
}

/**
 * One webhook verifier per provider whose signing secret is configured (PayPal: its client id,
 * secret and webhook id; the certificate check needs no SDK, so none is loaded here). Apart from the
 * providers: a delivery is verified and stored even where no processor is registered (its
 * processing waits, replayable).
 */
export function buildWebhookVerifiers(config: Pick<Config, 'STRIPE_WEBHOOK_SECRET'> & PaypalWebhookSettings, clock: Clock): Partial<Record<ProviderId, WebhookVerifier>> {
  const verifiers: Partial<Record<ProviderId, WebhookVerifier>> = {};
  if (config.STRIPE_WEBHOOK_SECRET) verifiers.stripe = createStripeWebhookVerifier(config.STRIPE_WEBHOOK_SECRET);
  const paypal = createPaypalWebhookVerifierFromSettings(config, clock);
  if (paypal) verifiers.paypal = paypal;
  return verifiers;
}
