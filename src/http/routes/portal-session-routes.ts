import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createPortalLink } from '../../services/portal/create-portal-link.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { documented, withExample } from '../api-examples.ts';
import { errorJson } from '../presenters.ts';
import { externalIdParam } from './customer-routes.ts';

const body = z
  .object({
    return_url: z.url({ protocol: /^https?$/ }).max(2000).describe('where "back to the shop" leads on every portal page'),
    locale: z.enum(['nl', 'en']).optional().describe("the portal's language; default: the customer's locale"),
  })
  .strict();

const portalSessionJson = z.object({
  url: z.string().describe('send the customer\'s browser here; it works once, for one browser session'),
  expires_at: z.iso.datetime().describe('after this the link opens nothing (one hour)'),
});

const errors = { 400: errorJson, 401: errorJson, 403: errorJson, 404: errorJson };

/** The customer portal's way in: the shop's backend asks for a one-time link for one customer. */
export function portalSessionRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/customers/:id/portal-sessions',
    {
      schema: {
        tags: ['customers'],
        summary: "A one-time link into recur's customer portal (overview, cancel, resume), valid one hour; the first visit spends it",
        params: externalIdParam,
        body: withExample(body, { return_url: 'https://www.sportwinkel.example/account', locale: 'nl' }),
        response: {
          201: documented(portalSessionJson, 'The link to send the browser to', { url: 'https://billing.sportwinkel.example/portal/enter?token=0cLq2Yv8m3kX1cWb9n4PzR7tJ5hA6sD2fG8kL0qW3eE', expires_at: '2026-04-15T13:00:00.000Z' }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const link = await createPortalLink(ctx, { customerExternalId: request.params.id, returnUrl: request.body.return_url, locale: request.body.locale ?? null }, request.actor);
      return reply.status(201).send({ url: link.url, expires_at: link.expiresAt.toISOString() });
    },
  );
}
