import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from '../shared/logger.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { installErrorHandling } from './error-handler.ts';
import { answerFrameworkError, createClientErrorHandler } from './framework-errors.ts';
import { buildHttpServerOptions } from './http-server-options.ts';
import { installHttpMetrics } from './http-metrics.ts';
import { installOpenApi } from './openapi.ts';
import { PATH_ID_MAX_LENGTH } from './path-id-length.ts';
import { refuseUnstorableText } from './refuse-unstorable-text.ts';
import { installIdempotencyKeys } from './idempotency-keys.ts';
import { generateRequestId } from './request-id.ts';
import { requireApiKey } from './require-api-key.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { apiKeyRoutes } from './routes/api-key-routes.ts';
import { checkoutApiRoutes, checkoutReturnRoutes } from './routes/checkout-routes.ts';
import { customerRoutes } from './routes/customer-routes.ts';
import { entitlementRoutes } from './routes/entitlement-routes.ts';
import { prepaidPeriodRoutes } from './routes/prepaid-period-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { paymentRoutes } from './routes/payment-routes.ts';
import { refundRoutes } from './routes/refund-routes.ts';
import { portalSessionRoutes } from './routes/portal-session-routes.ts';
import { planRoutes } from './routes/plan-routes.ts';
import { customerBillingRoutes } from './routes/customer-billing-routes.ts';
import { noticeLinkRoutes } from './routes/notice-link-routes.ts';
import { notificationRoutes } from './routes/notification-routes.ts';
import { subscriptionChangeRoutes } from './routes/subscription-change-routes.ts';
import { subscriptionRoutes } from './routes/subscription-routes.ts';
import { reconciliationRoutes } from './routes/reconciliation-routes.ts';
import { webhookAdminRoutes } from './routes/webhook-admin-routes.ts';
import { webhookEndpointRoutes } from './routes/webhook-endpoint-routes.ts';
import { webhookRoutes } from './routes/webhook-routes.ts';
import { registerPages } from './pages/register-pages.ts';
import { PAGE_SECTIONS } from './pages/page-sections.ts';
import { wakeWorkersAfterWrite } from '../services/wake-workers-after-write.ts';

/**
 * Answered at debug when they succeed. Probes and scrapes arrive every few seconds; a provider's
 * accepted deliveries arrive by the thousand in a burst, and each is already recorded durably
 * (its inbox row, with its time of receipt) and counted in the metrics: a line each was a tenth
 * of the ingest's CPU. Refused and failed ones are still logged at info.
 */
const QUIET_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics', '/webhooks/:provider']);

export type HttpAppOptions = { ctx: ServiceContext; logger: Logger; bodyLimitBytes: number; version: string };

/** The HTTP shell: routes validate and translate; every decision is in a service. */
export async function buildHttpApp({ ctx, logger, bodyLimitBytes, version }: HttpAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Typed as Fastify's base logger so the instance keeps Fastify's default generics.
    loggerInstance: logger as FastifyBaseLogger,
    // Fastify's own per-request lines would log the raw URL; recur writes one line of its own.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: generateRequestId,
    bodyLimit: bodyLimitBytes,
    routerOptions: { maxParamLength: PATH_ID_MAX_LENGTH },
    return503OnClosing: true,
    // Deadlines for slow clients, and which proxies may name the client's address.
    ...buildHttpServerOptions(ctx.config),
    // Errors before a route exists, in recur's error shape too.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: createClientErrorHandler(logger as FastifyBaseLogger),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  await installSecurityHeaders(app);
  refuseUnstorableText(app);
  // The API speaks JSON only; a text body would otherwise reach validation as a string.
  app.removeContentTypeParser('text/plain');

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // One line per request, with the route pattern only: paths carry customers' ids (often an
  // e-mail address), query strings carry ids and tokens, and headers are never logged.
  app.addHook('onResponse', async (request, reply) => {
    const level = QUIET_ROUTES.has(request.routeOptions.url ?? '') && reply.statusCode < 400 ? 'debug' : 'info';
    request.log[level](
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  // The docs first: they list only the routes added after them.
  installOpenApi(app, version);
  installHttpMetrics(app, ctx.config.METRICS_TOKEN, ctx.outgoingWebhooks ? [ctx.outgoingWebhooks.metrics.registry] : []);
  healthRoutes(app, ctx.db);
  // The customer's browser comes back here from Stripe: no API key, the session id is checked instead.
  await app.register(async (scope) => {
    // A GET that writes: the return records the subscription and queues its welcome notice.
    scope.addHook('onResponse', async (_request, reply) => {
      if (reply.statusCode < 400) wakeWorkersAfterWrite(ctx);
    });
    checkoutReturnRoutes(scope, ctx);
  });
  // Links in notices: no API key, a signed token instead; its own scope for the form parser, page headers and error pages.
  await app.register(async (scope) => {
    // A cancel through the link queues its confirmation, which the page says is on its way.
    scope.addHook('onResponse', async (request, reply) => {
      if (request.method === 'POST' && reply.statusCode < 400) wakeWorkersAfterWrite(ctx);
    });
    noticeLinkRoutes(scope, ctx);
  });
  // The customer portal and the admin dashboard: their own scope for cookies, forms, assets and page policy.
  await registerPages(app, ctx, PAGE_SECTIONS);
  // Its own scope: the provider's signature authenticates it (no API key), and its raw-body parser stays here.
  await app.register(async (scope) => webhookRoutes(scope, ctx, ctx.webhooks?.bodyLimitBytes ?? bodyLimitBytes));

  await app.register(
    async (v1) => {
      requireApiKey(v1, ctx);
      // Before the routes: its hooks and its line in the docs reach every POST added to /v1, now and later.
      installIdempotencyKeys(v1, ctx);
      // A change through the API may have queued notices and recorded events for the shop.
      v1.addHook('onResponse', async (request, reply) => {
        if (request.method !== 'GET' && reply.statusCode < 400) wakeWorkersAfterWrite(ctx);
      });
      customerRoutes(v1, ctx);
      checkoutApiRoutes(v1, ctx);
      entitlementRoutes(v1, ctx);
      prepaidPeriodRoutes(v1, ctx);
      planRoutes(v1, ctx);
      subscriptionRoutes(v1, ctx);
      subscriptionChangeRoutes(v1, ctx);
      paymentRoutes(v1, ctx);
      refundRoutes(v1, ctx);
      customerBillingRoutes(v1, ctx);
      portalSessionRoutes(v1, ctx);
      webhookAdminRoutes(v1, ctx);
      webhookEndpointRoutes(v1, ctx);
      reconciliationRoutes(v1, ctx);
      notificationRoutes(v1, ctx);
      apiKeyRoutes(v1, ctx);
    },
    { prefix: '/v1' },
  );
  return app;
}
