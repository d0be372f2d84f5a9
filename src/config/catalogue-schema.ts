import { z } from 'zod';
import { EURO_ONLY_PAYMENT_METHODS, PAYMENT_METHODS, type Plan } from '../domain/plan.ts';
import { NOTICE_TEMPLATES, type NoticeLocale, type NoticeTemplate } from '../notifications/notice-catalogue.ts';
import type { WithdrawalRefundPolicy as DomainPolicy } from '../domain/withdrawal.ts';

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
    /** How customers can pay it at a checkout that offers a choice (Stripe's), e.g. ["card", "ideal", "sepa_debit"]. */
    paymentMethods: z
      .array(z.enum(PAYMENT_METHODS))
      .min(1, 'expected at least one payment method')
      .refine((methods) => new Set(methods).size === methods.length, 'expected each payment method once')
      .default(['card']),
  })
  .strict()
  .superRefine((plan, ctx) => {
    const euroOnly = plan.paymentMethods.filter((method) => EURO_ONLY_PAYMENT_METHODS.has(method));
    if (plan.currency !== 'EUR' && euroOnly.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['paymentMethods'], message: `${euroOnly.join(', ')} take euros only; plan "${plan.id}" is in ${plan.currency}` });
    }
  });

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

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected a colour as #rrggbb');
const httpsUrl = z.url({ protocol: /^https?$/ });

/** How recur's pages (the customer portal, the admin dashboard) look: the shop's colours, logo and home page. */
const pagesSchema = z
  .object({
    /** Headers, buttons and links; text on it is white, so it must be dark enough to read (4.5:1). */
    brand_colour: colour.default('#1f4e79'),
    /** The shop's logo, shown in every page's header (an https URL; the pages' policy allows its origin for images only). */
    logo_url: httpsUrl.optional(),
    /** Where "back to the shop" leads when a page has no return URL of its own. */
    shop_url: httpsUrl.optional(),
  })
  .strict();

export type PageSettings = z.output<typeof pagesSchema>;

/**
 * A customer's withdrawal within 14 days of signing up (EU 2023/2673): what is refunded of what
 * they paid. `full` (the default) is lawful for every shop; `prorated` keeps the part of the period
 * used before withdrawing, which the law allows only when the customer asked for the service to
 * start at once and was told so at sign-up; `none` suits a shop whose plans only start after a
 * free trial longer than 14 days (nothing was paid to refund).
 */
export const WITHDRAWAL_REFUND_POLICIES = ['full', 'prorated', 'none'] as const;
export type WithdrawalRefundPolicy = (typeof WITHDRAWAL_REFUND_POLICIES)[number] & DomainPolicy;
const withdrawalSchema = z.object({ refund: z.enum(WITHDRAWAL_REFUND_POLICIES).default('full') }).strict();
export type WithdrawalSettings = z.output<typeof withdrawalSchema>;

/** The plan catalogue of `recur.config.json`. Plans, prices and trials live here, never in code. */
export const catalogueSchema = z
  .object({
    plans: z.array(planSchema).min(1, 'expected at least one plan'),
    /** How notices read: the shop's name, and its own wording of any template (see README). */
    notices: noticesSchema.default({ templates: {} }),
    /** The free trial is for a customer's first subscription only (any provider, canceled ones too). */
    trial_once_per_customer: z.boolean().default(true),
    pages: pagesSchema.default({ brand_colour: '#1f4e79' }),
    withdrawal: withdrawalSchema.default({ refund: 'full' }),
  })
  .strict()
  .superRefine((catalogue, ctx) => {
    const seen = new Set<string>();
    catalogue.plans.forEach((plan, index) => {
      if (seen.has(plan.id)) ctx.addIssue({ code: 'custom', path: ['plans', index, 'id'], message: `duplicate plan id "${plan.id}"` });
      seen.add(plan.id);
    });
  });

export type Catalogue = { plans: Plan[]; notices: NoticeSettings; trial_once_per_customer: boolean; pages: PageSettings; withdrawal?: WithdrawalSettings };

/** The webshop's model, used when no catalogue file is configured: a Dutch shop, so iDEAL, Bancontact and SEPA Direct Debit besides cards. */
export const defaultCatalogue: Catalogue = {
  plans: [
    { id: 'monthly', name: 'Monthly', names: { nl: 'Maandelijks' }, interval: 'month', amountMinor: 2999, currency: 'EUR', trialDays: 30, providerPriceIds: {}, paymentMethods: ['card', 'ideal', 'bancontact', 'sepa_debit'] },
    { id: 'yearly', name: 'Yearly', names: { nl: 'Jaarlijks' }, interval: 'year', amountMinor: 29990, currency: 'EUR', trialDays: 30, providerPriceIds: {}, paymentMethods: ['card', 'ideal', 'bancontact', 'sepa_debit'] },
  ],
  notices: { templates: {} },
  trial_once_per_customer: true,
  pages: { brand_colour: '#1f4e79' },
  withdrawal: { refund: 'full' },
};
