import type { z } from 'zod';
import type { NoticeLinks, NoticeLocale, ShopIdentity } from '../notice-catalogue.ts';

/**
 * What a template writes, independent of the output: the layout turns the same blocks into plain
 * text and into HTML, so the two e-mail parts cannot say different things and every value in the
 * HTML is escaped in one place.
 */
export type Block =
  /** A paragraph; `link` follows the text as a clickable address (footers, short mentions). */
  | { kind: 'paragraph'; text: string; link?: string }
  /** Label and value pairs: the terms of a subscription, the facts of a payment. */
  | { kind: 'facts'; rows: readonly (readonly [string, string])[] }
  /** A link the reader should follow: a button in HTML, `label: url` in text. */
  | { kind: 'action'; label: string; url: string }
  /** A table with a header; every column after the first holds figures and is right-aligned. */
  | { kind: 'table'; head: readonly string[]; rows: readonly (readonly string[])[] };

/** One notice in one locale, before layout. `sms` only for the notices in SMS_NOTICES. */
export type NoticeContent = { subject: string; blocks: Block[]; sms?: string };

export type RenderContext = { locale: NoticeLocale; timeZone: string; links: NoticeLinks | null; shop: ShopIdentity };

/** The values a shop's override may use as `{{name}}`, already formatted for the locale and zone. */
export type PlaceholderValues = Readonly<Record<string, string>>;

export type PreparedNotice = { values: PlaceholderValues; content: NoticeContent };

/**
 * A template with its payload type erased, as the renderer sees it. `prepare` returns a problem
 * instead of throwing: a payload that does not fit is an expected outcome the renderer reports.
 */
export type NoticeTemplateDefinition = {
  audience: 'customer' | 'admin';
  placeholders: readonly string[];
  /** Placeholders a shop's own text and HTML (`email`) or SMS must keep: the card-network content. */
  required: { email: readonly string[]; sms: readonly string[] };
  prepare(payload: unknown, context: RenderContext): PreparedNotice | { problem: string };
};

type Values<P extends string> = Readonly<Record<P, string>>;

export type TemplateSpec<S extends z.ZodType, P extends string, C> = {
  schema: S;
  placeholders: readonly P[];
  required?: { email?: readonly P[]; sms?: readonly P[] };
  values(payload: z.output<S>, context: C): Values<P>;
  copy: Record<NoticeLocale, (values: Values<P>, payload: z.output<S>) => NoticeContent>;
};

export type CustomerContext = RenderContext & { links: NoticeLinks };

/** A notice to a customer: it cannot be written without its links (cancel online, fix the card). */
export function defineCustomerNotice<S extends z.ZodType, P extends string>(spec: TemplateSpec<S, P, CustomerContext>): NoticeTemplateDefinition {
  return define('customer', spec, (context) => (context.links ? { ...context, links: context.links } : null));
}

/** A notice to the shop's admins: no customer links. */
export function defineAdminNotice<S extends z.ZodType, P extends string>(spec: TemplateSpec<S, P, RenderContext>): NoticeTemplateDefinition {
  return define('admin', spec, (context) => context);
}

function define<S extends z.ZodType, P extends string, C>(
  audience: 'customer' | 'admin',
  spec: TemplateSpec<S, P, C>,
  narrow: (context: RenderContext) => C | null,
): NoticeTemplateDefinition {
  return {
    audience,
    placeholders: spec.placeholders,
    required: { email: spec.required?.email ?? [], sms: spec.required?.sms ?? [] },
    prepare(payload, context) {
      const parsed = spec.schema.safeParse(payload);
      if (!parsed.success) return { problem: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ') };
      const narrowed = narrow(context);
      if (narrowed === null) return { problem: 'a customer notice needs its links (cancel, payment_method); got none' };
      const values = spec.values(parsed.data, narrowed);
      return { values, content: spec.copy[context.locale](values, parsed.data) };
    },
  };
}
