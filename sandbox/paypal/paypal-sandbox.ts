import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { installRequestFaults, type SandboxContext, type SandboxProvider, type SandboxProviderFactory } from '../core/sandbox-provider.ts';
import { registerSubscriptionApproval } from './approval-routes.ts';
import { registerAutopayPage } from './autopay-page.ts';
import { registerCatalogRoutes } from './catalog-routes.ts';
import { registerPaypalControlRoutes } from './control-routes.ts';
import { paypalDue } from './due-work.ts';
import { paypalErrors, sendPaypalError } from './paypal-errors.ts';
import { emptyPaypalData, parsePaypalSnapshot } from './paypal-state.ts';
import { registerPlanRoutes } from './plan-routes.ts';
import { isoSeconds, type PaypalCredentials, type PaypalRuntime } from './runtime.ts';
import { createSigningAuthority, isConsistent } from './signing-authority.ts';
import { registerSubscriptionRoutes } from './subscription-routes.ts';
import { registerWebhookRoutes } from './webhook-routes.ts';
import { installBearerAuth, installPaypalErrorHandler, registerTokenRoute } from './wire.ts';
import { paypalIds } from './ids.ts';
import { testPayers } from './test-payers.ts';
import { registerPaymentRoutes } from './payment-routes.ts';
import { registerOrderRoutes, registerOrderApproval } from './order-routes.ts';
import { registerDisputeRoutes } from './dispute-routes.ts';

/** Fixed sandbox credentials, so a developer's .env keeps working across restarts; they open only this emulator. */
export const defaultPaypalCredentials: PaypalCredentials = {
  clientId: 'AVrecurSandboxClientId0000000000000000000000000000000000000000000000000000000000',
  clientSecret: 'EKrecurSandboxClientSecret00000000000000000000000000000000000000000000000000000',
};

/** The root certificate is written beside the state file under this name, for recur to trust in development. */
export const ROOT_CA_FILE = 'paypal-sandbox-root-ca.pem';

/** The routes that need no bearer token: the grant itself and the certificate download. */
const openRoute = (url: string) => url === '/paypal/v1/oauth2/token' || url.startsWith('/paypal/v1/notifications/certs/');

/**
 * The PayPal emulator: PayPal's REST API under /paypal (the API base a client uses is
 * `<sandbox url>/paypal`), its hosted approval pages, and billing as a party of the shared clock.
 */
export function createPaypalSandbox(overrides: Partial<PaypalCredentials> = {}): SandboxProviderFactory {
  const credentials: PaypalCredentials = { ...defaultPaypalCredentials, ...overrides };
  return (sandbox: SandboxContext): SandboxProvider => {
    const rt: PaypalRuntime = {
      data: emptyPaypalData(),
      sandbox,
      credentials,
      apiBase: () => `${sandbox.baseUrl()}/paypal`,
      now: () => sandbox.clock.now(),
      nowIso: () => isoSeconds(sandbox.clock.now()),
    };
    const due = paypalDue(rt);

    const ensureAuthority = async () => {
      if (!rt.data.authority || !isConsistent(rt.data.authority)) rt.data.authority = await createSigningAuthority(rt.now(), paypalIds.webhook().toLowerCase());
    };

    // The root is written beside the state file once the sandbox listens: a start that fails
    // before (its port taken) leaves nothing behind.
    const writeRootCertificate = () => {
      if (!sandbox.stateFile || !rt.data.authority) return;
      // The state file's directory may not exist before its first save (the state file makes it the same way).
      mkdirSync(dirname(sandbox.stateFile), { recursive: true, mode: 0o700 });
      writeFileSync(join(dirname(sandbox.stateFile), ROOT_CA_FILE), rt.data.authority.rootCertificatePem, { mode: 0o644 });
    };

    const register = async (app: FastifyInstance) => {
      await ensureAuthority();
      app.addHook('onListen', async () => writeRootCertificate());
      await app.register(
        async (api) => {
          installRequestFaults(api, sandbox, 'paypal', (reply, status) => sendPaypalError(reply, paypalErrors.server(status)));
          installPaypalErrorHandler(api);
          installBearerAuth(api, rt, openRoute);
          registerTokenRoute(api, rt);
          registerCatalogRoutes(api, rt);
          registerPlanRoutes(api, rt);
          registerSubscriptionRoutes(api, rt);
          registerOrderRoutes(api, rt);
          registerPaymentRoutes(api, rt);
          registerDisputeRoutes(api, rt);
          registerWebhookRoutes(api, rt);
        },
        { prefix: '/paypal' },
      );
      await app.register(async (pages) => {
        pages.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))));
        registerSubscriptionApproval(pages, rt);
        registerOrderApproval(pages, rt);
        registerPaypalControlRoutes(pages, rt);
        registerAutopayPage(pages);
      });
    };

    return {
      name: 'paypal',
      register,
      nextDueAt: due.nextDueAt,
      runDue: due.runDue,
      // The certificate authority survives a reset: a root recur was told to trust stays the root.
      reset: () => {
        rt.data = emptyPaypalData(rt.data.authority);
      },
      snapshot: () => structuredClone(rt.data),
      restore: (snapshot) => {
        rt.data = parsePaypalSnapshot(snapshot);
      },
      describe: (baseUrl) => ({
        baseUrl: `${baseUrl}/paypal`,
        clientId: credentials.clientId,
        clientSecret: credentials.clientSecret,
        // The first registered webhook's id is what a development recur sets as PAYPAL_WEBHOOK_ID.
        ...(Object.values(rt.data.webhooks)[0] ? { webhookId: Object.values(rt.data.webhooks)[0]!.id } : {}),
        webhooks: Object.values(rt.data.webhooks).map((webhook) => ({ id: webhook.id, url: webhook.url })),
        rootCertificate: `${baseUrl}/paypal/sandbox/root-ca.pem`,
        ...(sandbox.stateFile ? { rootCertificateFile: join(dirname(sandbox.stateFile), ROOT_CA_FILE) } : {}),
        testPayers: Object.keys(testPayers),
        // The events sent to recur's webhook, with each delivery's answer: PayPal's inbox for a person.
        inbox: { json: `${baseUrl}/paypal/sandbox/events`, html: `${baseUrl}/paypal/sandbox/events.html` },
      }),
    };
  };
}

export const paypalSandbox: SandboxProviderFactory = createPaypalSandbox();
