import type { FastifyInstance } from 'fastify';
import { installRequestFaults, type SandboxContext, type SandboxProvider, type SandboxProviderFactory } from '../core/sandbox-provider.ts';
import { deliverMail } from './deliver-mail.ts';
import { EventWebhook, signatureHeader, timestampHeader } from './event-webhook.ts';
import { registerEventWebhookRoutes } from './event-webhook-routes.ts';
import { magicAddresses } from './magic-addresses.ts';
import { registerMailInboxRoutes } from './mail-inbox-routes.ts';
import { registerMailSendRoute } from './mail-send-route.ts';
import { MailStore } from './mail-store.ts';
import { installSendgridErrorHandlers, sendSendgridError, sendSendgridFault } from './sendgrid-errors.ts';
import { restoreSendgrid, snapshotSendgrid } from './sendgrid-snapshot.ts';
import type { SendgridOptions, SendgridState } from './sendgrid-state.ts';

export const defaultSendgridApiKey = 'SG.recur-sandbox.key';

/** Bearer auth before the body is read, as SendGrid answers 401 whatever the body. */
function installBearerAuth(api: FastifyInstance, apiKey: string): void {
  api.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    if (!header) return sendSendgridError(reply, 401, { message: 'authorization required', field: null });
    if (header !== `Bearer ${apiKey}`) {
      return sendSendgridError(reply, 401, { message: 'The provided authorization grant is invalid, expired, or revoked', field: null });
    }
  });
}

/** A SendGrid emulator with other settings than the defaults (another key, a smaller size limit). */
export function createSendgridSandbox(overrides: Partial<SendgridOptions> = {}): SandboxProviderFactory {
  const options: SendgridOptions = { apiKey: defaultSendgridApiKey, maxBodyBytes: 30 * 1024 * 1024, ...overrides };
  return (ctx: SandboxContext): SandboxProvider => {
    const store = new MailStore();
    const webhook = new EventWebhook(ctx, options.eventWebhookUrl);
    const deliverDue = () => {
      const nowSeconds = ctx.clock.nowSeconds();
      for (const mail of store.takeDue(nowSeconds)) webhook.publish(deliverMail(mail, nowSeconds));
    };
    const state: SendgridState = { ctx, options, store, webhook, deliverDue };

    return {
      name: 'sendgrid',
      register: async (app) => {
        // The API lives under /sendgrid (the SDK's baseUrl points there); faults and auth touch only it.
        await app.register(
          async (api) => {
            installRequestFaults(api, ctx, 'sendgrid', (reply, status) => sendSendgridFault(reply, status));
            installBearerAuth(api, options.apiKey);
            installSendgridErrorHandlers(api);
            registerMailSendRoute(api, state);
            registerEventWebhookRoutes(api, state);
          },
          { prefix: '/sendgrid' },
        );
        registerMailInboxRoutes(app, store);
      },
      reset: () => {
        store.reset();
        webhook.reset();
      },
      snapshot: () => snapshotSendgrid(state),
      restore: (snapshot) => restoreSendgrid(state, snapshot),
      // Mail with a future send_at waits for the sandbox clock; everything else goes out at once.
      nextDueAt: () => store.nextDueAt(),
      runDue: async () => deliverDue(),
      describe: (baseUrl) => ({
        baseUrl: `${baseUrl}/sendgrid`,
        apiKey: options.apiKey,
        eventWebhook: {
          ...webhook.current(),
          publicKey: webhook.isSigned() ? webhook.publicKey : null,
          signatureHeaders: [signatureHeader, timestampHeader],
        },
        inbox: { json: `${baseUrl}/sandbox/mail`, html: `${baseUrl}/sandbox/mail.html` },
        magicAddresses,
      }),
    };
  };
}

export const sendgridSandbox: SandboxProviderFactory = createSendgridSandbox();
