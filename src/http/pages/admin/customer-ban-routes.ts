import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { updateCustomer } from '../../../services/customers/update-customer.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import { readPageInput } from './admin-list-query.ts';

/** As the API takes banned_reason: a ban says why, in at most 500 characters. */
export const BAN_REASON_MAX_LENGTH = 500;

const banForm = z.object({ reason: z.string().trim().min(1, 'a ban needs a reason').max(BAN_REASON_MAX_LENGTH) });
const customerParams = z.object({ externalId: z.string().min(1) });

const customerUrl = (externalId: string, done: string) => `/admin/customers/${encodeURIComponent(externalId)}?done=${done}`;

/** Ban (with a reason) and unban on the customer's page, through updateCustomer as the API's PATCH does, audited as `admin:{user}`. */
export function customerBanRoutes(admin: FastifyInstance, ctx: ServiceContext): void {
  admin.post('/customers/:externalId/ban', { schema: { hide: true } }, async (request, reply) => {
    const { externalId } = readPageInput(customerParams, request.params);
    const { reason } = readPageInput(banForm, request.body);
    const customer = await updateCustomer(ctx, externalId, { banned: true, bannedReason: reason }, request.adminSession!.actor);
    return reply.redirect(customerUrl(customer.externalId, 'banned'), 303);
  });

  admin.post('/customers/:externalId/unban', { schema: { hide: true } }, async (request, reply) => {
    const { externalId } = readPageInput(customerParams, request.params);
    const customer = await updateCustomer(ctx, externalId, { banned: false }, request.adminSession!.actor);
    return reply.redirect(customerUrl(customer.externalId, 'unbanned'), 303);
  });
}
