import { z } from 'zod';
import type { Plan } from '../domain/plan.ts';
import { NOTICE_TEMPLATES, type NoticeLocale, type NoticeTemplate } from '../notifications/notice-catalogue.ts';

const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as EUR');

const planSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'expected lower-case letters, digits, - or _'),
    name: z.string().min(1).max(80),
    /** The name per locale where it differs from `name` (`{ "nl": "Maandelijks" }`); notices and pages use the reader's. */
    names: z.object({ nl: z.string().min(1).max(80).optional(), en: z.string().min(1).max(80).optional() }).strict().optional(),
    interval: z.enum(['month', 'year']),
    amountMinor: z.number().int('expected integer minor units (2999 for 29.99)').positive(),
    currency: currencyCode,
    trialDays: z.number().int().min(0).max(730).default(0),
    providerPriceIds: z
      .object({ stripe: z.string().min(1).optional(), paypal: z.string().min(1).optional() })
      .strict()
      .default({}),
  })
  .strict();

/** A shop's own wording of one notice in one locale; what it leaves out comes from recur's template. */
const templateOverrideSchema = z
  .object({
    subject: z.string().min(1).max(300),
    text: z.string().min(1).max(20_000),
    html: z.string().min(1).max(100_000),
    sms: z.string().min(1).max(1600),
  })
  .partial()
  .strict();

export type TemplateOverride = z.output<typeof templateOverrideSchema>;
export type NoticeOverrides = Partial<Record<NoticeTemplate, Partial<Record<NoticeLocale, TemplateOverride>>>>;

const noticesSchema = z
  .object({
    /** The shop's name in greetings, subjects and SMS (SHOP_NAME overrides it). */
    shop_name: z.string().trim().min(1).max(80).optional(),
    support_email: z.email().optional(),
    templates: z
      .partialRecord(z.enum(NOTICE_TEMPLATES as [NoticeTemplate, ...NoticeTemplate[]]), z.object({ nl: templateOverrideSchema.optional(), en: templateOverrideSchema.optional() }).strict())
      .default({}),
  })
  .strict();

export type NoticeSettings = { shop_name?: string | undefined; support_email?: string | undefined; templates: NoticeOverrides };

/** The plan catalogue of `recur.config.json`. Plans, prices and trials live here, never in code. */
export const catalogueSchema = z
  .object({
    plans: z.array(planSchema).min(1, 'expected at least one plan'),
    /** How notices read: the shop's name, and its own wording of any template (see README). */
    notices: noticesSchema.default({ templates: {} }),
    /** The free trial is for a customer's first subscription only (any provider, canceled ones too). */
    trial_once_per_customer: z.boolean().default(true),
  })
  .strict()
  .superRefine((catalogue, ctx) => {
    const seen = new Set<string>();
    catalogue.plans.forEach((plan, index) => {
      if (seen.has(plan.id)) ctx.addIssue({ code: 'custom', path: ['plans', index, 'id'], message: `duplicate plan id "${plan.id}"` });
      seen.add(plan.id);
    });
  });

export type Catalogue = { plans: Plan[]; notices: NoticeSettings; trial_once_per_customer: boolean };

/** The webshop's model, used when no catalogue file is configured. */
export const defaultCatalogue: Catalogue = {
  plans: [
    { id: 'monthly', name: 'Monthly', names: { nl: 'Maandelijks' }, interval: 'month', amountMinor: 2999, currency: 'EUR', trialDays: 30, providerPriceIds: {} },
    { id: 'yearly', name: 'Yearly', names: { nl: 'Jaarlijks' }, interval: 'year', amountMinor: 29990, currency: 'EUR', trialDays: 30, providerPriceIds: {} },
  ],
  notices: { templates: {} },
  trial_once_per_customer: true,
};
