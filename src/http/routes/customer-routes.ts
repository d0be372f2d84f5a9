import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createCustomer } from '../../services/customers/create-customer.ts';
import { getCustomer } from '../../services/customers/get-customer.ts';
import { updateCustomer } from '../../services/customers/update-customer.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { customerJson, errorJson, presentCustomer } from '../presenters.ts';
import { customerExample, documented, withExample } from '../api-examples.ts';
import { PATH_ID_MAX_LENGTH } from '../path-id-length.ts';
import { READ_SCOPE } from '../route-scope.ts';

// The shop's id is used in paths, so it is no longer than the router takes there.
export const externalIdParam = z.object({
  id: z.string().min(1).max(PATH_ID_MAX_LENGTH).regex(/^[\w.:@-]+$/, "expected the shop's customer id: letters, digits and . _ : @ -"),
});
const email = z.email().max(254);
const phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as +31612345678');
const locale = z.enum(['nl', 'en']);
const timeZone = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .transform((zone, check) => {
    const canonical = canonicalTimeZone(zone);
    if (!canonical) check.addIssue({ code: 'custom', message: 'expected an IANA time zone such as Europe/Amsterdam' });
    return canonical ?? zone;
  });
const smsConsent = z.boolean().describe('true records consent to SMS now; false records its withdrawal now');

/** The zone's own spelling ("europe/amsterdam" is Europe/Amsterdam), or null when Intl does not know it. */
function canonicalTimeZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const createBody = z
  .object({
    external_id: externalIdParam.shape.id,
    email,
    name: z.string().trim().min(1).max(200).optional(),
    phone: phone.optional(),
    locale: locale.optional(),
    time_zone: timeZone.optional(),
    sms_consent: smsConsent.optional(),
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
    time_zone: timeZone.nullable().optional().describe('null clears it'),
    sms_consent: smsConsent.optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'send at least one field to change');

const errors = { 400: errorJson, 401: errorJson, 404: errorJson, 409: errorJson };

export function customerRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/customers',
    { schema: { tags: ['customers'], summary: 'Create a customer', body: withExample(createBody, { external_id: 'shop-1042', email: 'sanne.bakker@example.nl', name: 'Sanne Bakker', phone: '+31612345678', locale: 'nl', time_zone: 'Europe/Amsterdam', sms_consent: true }), response: { 201: documented(customerJson, 'The customer as recorded', customerExample), ...errors } } },
    async (request, reply) => {
      const { external_id, email, name, phone, locale, time_zone, sms_consent } = request.body;
      const customer = await createCustomer(
        ctx,
        { externalId: external_id, email, name: name ?? null, phone: phone ?? null, locale: locale ?? ctx.config.DEFAULT_LOCALE, timeZone: time_zone ?? null, smsConsent: sms_consent },
        request.actor,
      );
      return reply.status(201).send(presentCustomer(customer));
    },
  );

  api.get(
    '/customers/:id',
    { config: READ_SCOPE, schema: { tags: ['customers'], summary: "Read a customer by the shop's id", params: externalIdParam, response: { 200: documented(customerJson, 'The customer', customerExample), ...errors } } },
    async (request) => presentCustomer(await getCustomer(ctx, request.params.id)),
  );

  api.patch(
    '/customers/:id',
    {
      schema: {
        tags: ['customers'],
        summary: 'Change contact details, locale, time zone or SMS consent, or ban / unban (a ban needs banned_reason)',
        params: externalIdParam,
        body: withExample(updateBody, { phone: '+31687654321', sms_consent: false }),
        response: { 200: documented(customerJson, 'The customer after the change', { ...customerExample, phone: '+31687654321', sms_consent: false, updated_at: '2026-03-14T09:30:00.000Z' }), ...errors },
      },
    },
    async (request) => {
      const { banned_reason, time_zone, sms_consent, ...contact } = request.body;
      const customer = await updateCustomer(ctx, request.params.id, { ...contact, bannedReason: banned_reason, timeZone: time_zone, smsConsent: sms_consent }, request.actor);
      return presentCustomer(customer);
    },
  );
}
