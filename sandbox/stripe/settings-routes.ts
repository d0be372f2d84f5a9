import type { FastifyInstance } from 'fastify';
import { adjustableSettingsSchema, type StripeSettings } from './settings.ts';

/** The account settings Stripe keeps in its Dashboard, readable and changeable at /sandbox/stripe/settings. */
export function registerSettingsRoutes(scope: FastifyInstance, settings: StripeSettings): void {
  const visible = () => ({
    retryScheduleDays: settings.retryScheduleDays,
    afterFinalFailure: settings.afterFinalFailure,
    upcomingInvoiceDays: settings.upcomingInvoiceDays,
    incompleteExpiresHours: settings.incompleteExpiresHours,
    apiVersion: settings.apiVersion,
  });
  scope.get('/sandbox/stripe/settings', async () => visible());
  scope.put('/sandbox/stripe/settings', async (request, reply) => {
    const parsed = adjustableSettingsSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      return reply.status(400).send({ error: { code: 'invalid_request', message: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') } });
    }
    Object.assign(settings, Object.fromEntries(Object.entries(parsed.data).filter(([, value]) => value !== undefined)));
    return visible();
  });
}
