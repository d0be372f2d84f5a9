import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createCustomer } from '../../services/customers/create-customer.ts';
import { getCustomer } from '../../services/customers/get-customer.ts';
import { updateCustomer } from '../../services/customers/update-customer.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { customerJson, errorJson, presentCustomer } from '../presenters.ts';

export const externalIdParam = z.object({
  id: z.string().min(1).max(200).regex(/^[\w.:@-]+$/, "expected the shop's customer id: letters, digits and . _ : @ -"),
});
const email = z.email().max(254);
const phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as +31612345678');
const locale = z.enum(['nl', 'en']);

const createBody = z
  .object({
    external_id: externalIdParam.shape.id,
    email,
    name: z.string().trim().min(1).max(200).optional(),
    phone: phone.optional(),
    locale: locale.optional(),
  })
  .strict();

const updateBody = z
  .object({
    email: email.optional(),
    name: z.string().trim().min(1).max(200).nullable().optional(),
    phone: phone.nullable().optional(),
    locale: locale.optional(),
    banned: z.boolean().optional(),
    banned_reason: z.string().trim().min(1).max(500).optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'send at least one field to change');

const errors = { 400: errorJson, 401: errorJson, 404: errorJson, 409: errorJson };

export function customerRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/customers',
    { schema: { tags: ['customers'], summary: 'Create a customer', body: createBody, response: { 201: customerJson, ...errors } } },
    async (request, reply) => {
      const { external_id, email, name, phone, locale } = request.body;
      const customer = await createCustomer(
        ctx,
        { externalId: external_id, email, name: name ?? null, phone: phone ?? null, locale: locale ?? ctx.config.DEFAULT_LOCALE },
        request.actor,
      );
      return reply.status(201).send(presentCustomer(customer));
    },
  );

  api.get(
    '/customers/:id',
    { schema: { tags: ['customers'], summary: "Read a customer by the shop's id", params: externalIdParam, response: { 200: customerJson, ...errors } } },
    async (request) => presentCustomer(await getCustomer(ctx, request.params.id)),
  );

  api.patch(
    '/customers/:id',
    {
      schema: {
        tags: ['customers'],
        summary: 'Change contact details, locale, or ban / unban (a ban needs banned_reason)',
        params: externalIdParam,
        body: updateBody,
        response: { 200: customerJson, ...errors },
      },
    },
    async (request) => {
      const { banned_reason, ...rest } = request.body;
      const customer = await updateCustomer(ctx, request.params.id, { ...rest, bannedReason: banned_reason }, request.actor);
      return presentCustomer(customer);
    },
  );
}
