import type { FastifyInstance } from 'fastify';
import { installRequestFaults, type SandboxProvider, type SandboxProviderFactory } from '../core/sandbox-provider.ts';
import { BillingEngine } from './billing/billing-engine.ts';
import { invoiceItemRoutes } from './billing/invoice-items.ts';
import { followInvoicePayment } from './billing/invoice-lifecycle.ts';
import { EventLog } from './events/event-log.ts';
import { eventRoutes } from './events/event-routes.ts';
import { createWebhookEndpoint, webhookEndpointRoutes } from './events/webhook-endpoint-routes.ts';
import { followCheckoutPayment } from './hosted/complete-checkout.ts';
import { registerHostedPages } from './hosted/hosted-pages.ts';
import { disputeRoutes } from './payments/disputes.ts';
import { refundRoutes } from './payments/refunds.ts';
import { billingPortalRoutes } from './resources/billing-portal.ts';
import { cashBalanceRoutes } from './resources/cash-balance.ts';
import { chargeRoutes } from './resources/charges.ts';
import { checkoutSessionRoutes } from './resources/checkout-sessions.ts';
import { customerRoutes } from './resources/customers.ts';
import { paymentIntentRoutes } from './resources/payment-intents.ts';
import { paymentMethodRoutes } from './resources/payment-method-routes.ts';
import { paymentPageRoutes } from './resources/payment-pages.ts';
import { priceRoutes } from './resources/prices.ts';
import { productRoutes } from './resources/products.ts';
import { invoicePreviewRoutes } from './resources/invoice-preview.ts';
import { invoiceRoutes } from './resources/invoices.ts';
import { mandateRoutes } from './resources/mandates.ts';
import { setupIntentRoutes } from './resources/setup-intents.ts';
import { subscriptionRoutes } from './resources/subscriptions.ts';
import { testClockRoutes } from './resources/test-clocks.ts';
import { Timekeeper, type StripeRuntime } from './runtime.ts';
import { registerFixedSecretEndpointRoute } from './fixed-secret-endpoint-route.ts';
import { registerSettingsRoutes } from './settings-routes.ts';
import { stripeSettingsSchema, type StripeSettingsInput } from './settings.ts';
import { expandSources } from './state/expand-sources.ts';
import { StripeState } from './state/stripe-state.ts';
import { restoreStripe, snapshotStripe, type StripeMemory } from './stripe-snapshot.ts';
import { registerApi, registerRequestIds, registerRouteListing } from './wire/api-routes.ts';
import { registerFormBody } from './wire/form-body.ts';
import { IdempotencyStore } from './wire/idempotency.ts';
import { sendStripeError, stripeErrors } from './wire/stripe-error.ts';

/**
 * The Stripe emulator: Stripe's API at the server root (the SDK has no base path), hosted
 * checkout and portal pages under /stripe/, and the billing engine as a party of the shared clock.
 */
export function createStripeSandbox(input: StripeSettingsInput = {}): SandboxProviderFactory {
  return (sandbox): SandboxProvider => {
    const settings = stripeSettingsSchema.parse(input);
    const state = new StripeState();
    const time = new Timekeeper(sandbox, state);
    const rt: StripeRuntime = { state, settings, sandbox, time, events: new EventLog(state, sandbox, settings, time), paymentIntentListeners: [] };
    rt.paymentIntentListeners.push((intent) => followInvoicePayment(rt, intent), (intent) => followCheckoutPayment(rt, intent));
    const engine = new BillingEngine(rt);
    const shared = engine.party(null);
    const idempotency = new IdempotencyStore();
    const memory: StripeMemory = { state, idempotency, events: rt.events, settings, initialSettings: stripeSettingsSchema.parse(input) };
    // After a restore only the configured endpoints the snapshot lacks: a demo restarted with a new webhook URL still gets its events.
    const seedEndpoints = (missingOnly = false) => {
      for (const endpoint of settings.webhookEndpoints) {
        if (missingOnly && state.webhookEndpoints.all().some((existing) => existing.url === endpoint.url)) continue;
        createWebhookEndpoint(rt, { url: endpoint.url, enabledEvents: endpoint.enabledEvents, secret: settings.webhookSecret });
      }
    };
    seedEndpoints();
    const settleDueWork = () => {
      engine.runDue(null, time.sharedNow());
      for (const clockId of state.testClockTimes.keys()) engine.runDue(clockId, time.nowOnClock(clockId));
    };

    const register = async (scope: FastifyInstance) => {
      registerFormBody(scope);
      registerRequestIds(scope);
      installRequestFaults(scope, sandbox, 'stripe', (reply, status) => sendStripeError(reply, status === 429 ? stripeErrors.rateLimit() : stripeErrors.server(status)));
      const tables = [
        customerRoutes(rt), productRoutes(rt), priceRoutes(rt), paymentMethodRoutes(rt), paymentIntentRoutes(rt), setupIntentRoutes(rt), mandateRoutes(rt), chargeRoutes(rt),
        refundRoutes(rt), disputeRoutes(rt), invoiceItemRoutes(rt), invoicePreviewRoutes(rt), invoiceRoutes(rt), subscriptionRoutes(rt), checkoutSessionRoutes(rt),
        paymentPageRoutes(rt), billingPortalRoutes(rt), cashBalanceRoutes(rt), testClockRoutes(rt, engine), eventRoutes(rt), webhookEndpointRoutes(rt),
      ];
      await registerApi(scope, tables, { apiKey: () => settings.apiKey, idempotency, expandSources: expandSources(state), now: () => time.sharedNow(), afterRequest: settleDueWork });
      registerRouteListing(scope, tables);
      registerHostedPages(scope, rt, settleDueWork);
      registerSettingsRoutes(scope, settings);
      registerFixedSecretEndpointRoute(scope, rt);
    };

    return {
      name: 'stripe',
      nextDueAt: shared.nextDueAt,
      runDue: shared.runDue,
      register,
      reset: () => {
        state.reset();
        idempotency.reset();
        seedEndpoints();
      },
      snapshot: () => snapshotStripe(memory),
      restore: (snapshot) => {
        restoreStripe(memory, snapshot);
        seedEndpoints(true);
      },
      describe: (baseUrl) => {
        const url = new URL(baseUrl || 'http://127.0.0.1');
        return {
          baseUrl,
          apiKey: settings.apiKey,
          publishableKey: settings.publishableKey,
          apiVersion: settings.apiVersion,
          webhookSecret: settings.webhookSecret,
          webhookEndpoints: state.webhookEndpoints.all().map((endpoint) => ({ id: endpoint.id, url: endpoint.url, enabledEvents: endpoint.enabled_events })),
          sdk: { host: url.hostname, port: Number(url.port), protocol: url.protocol.replace(':', '') },
        };
      },
    };
  };
}

/** The Stripe emulator with Stripe's defaults (retries after 3, 5 and 7 days, then canceled). */
export const stripeSandbox: SandboxProviderFactory = createStripeSandbox();
