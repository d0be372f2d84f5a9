import { z } from 'zod';
import { formatCount } from '../format-notice-values.ts';
import type { NoticeLocale } from '../notice-catalogue.ts';
import { defineAdminNotice, type Block, type NoticeTemplateDefinition, type RenderContext } from './notice-template.ts';

type Payload = Record<string, unknown>;

/**
 * A field an alert knows: its label per locale and how to write it. Known fields are checked
 * (a wrong type is a bug in the code that wrote the alert); fields no one declared still reach
 * the admin, listed as `key: value` under the known ones.
 */
export type AlertField = {
  key: string;
  /** The `{{name}}` of the field in overrides; the key unless given. */
  placeholder?: string;
  schema: z.ZodType;
  label: Record<NoticeLocale, string>;
  /** Shown only through its placeholder and other fields (a currency next to its amount). */
  hidden?: boolean;
  format?: (value: unknown, payload: Payload, context: RenderContext) => string;
};

type Values = Readonly<Record<string, string>>;
type Words = (values: Values, payload: Payload) => string;

export type AlertSpec = {
  fields: readonly AlertField[];
  subject: Record<NoticeLocale, Words>;
  /** What happened and what recur did about it. */
  intro: Record<NoticeLocale, Words>;
  /** What the admin should do, if anything. */
  next?: Record<NoticeLocale, Words>;
};

const OTHER_DETAILS: Record<NoticeLocale, string> = { nl: 'Overige gegevens', en: 'Other details' };
const SIGNATURE: Record<NoticeLocale, (shop: string) => string> = {
  nl: (shop) => `Dit bericht is automatisch verstuurd door recur voor ${shop}.`,
  en: (shop) => `This message was sent automatically by recur for ${shop}.`,
};

export function defineAdminAlert(spec: AlertSpec): NoticeTemplateDefinition {
  const known = new Set(spec.fields.map((field) => field.key));
  const shape = Object.fromEntries(spec.fields.map((field) => [field.key, field.schema.nullish()]));
  return defineAdminNotice({
    schema: z.looseObject(shape),
    placeholders: ['shop_name', ...spec.fields.map(nameOf), 'details'],
    values: (payload: Payload, context) => {
      const values: Record<string, string> = { shop_name: context.shop.name };
      for (const field of spec.fields) {
        const value = payload[field.key];
        values[nameOf(field)] = value === undefined || value === null ? '' : (field.format ?? writeValue)(value, payload, context);
      }
      values.details = otherDetails(payload, known, context.locale).map(([key, value]) => `${key}: ${value}`).join('\n');
      return values;
    },
    copy: { nl: (values, payload) => writeAlert(spec, values, payload, 'nl'), en: (values, payload) => writeAlert(spec, values, payload, 'en') },
  });
}

function writeAlert(spec: AlertSpec, values: Values, payload: Payload, locale: NoticeLocale): { subject: string; blocks: Block[] } {
  const known = new Set(spec.fields.map((field) => field.key));
  const rows = spec.fields.filter((field) => !field.hidden && values[nameOf(field)] !== '').map((field) => [field.label[locale], values[nameOf(field)]!] as const);
  const blocks: Block[] = [{ kind: 'paragraph', text: spec.intro[locale](values, payload) }];
  if (rows.length > 0) blocks.push({ kind: 'facts', rows });
  const other = otherDetails(payload, known, locale);
  if (other.length > 0) blocks.push({ kind: 'paragraph', text: `${OTHER_DETAILS[locale]}:` }, { kind: 'facts', rows: other });
  if (spec.next) blocks.push({ kind: 'paragraph', text: spec.next[locale](values, payload) });
  blocks.push({ kind: 'paragraph', text: SIGNATURE[locale](values.shop_name!) });
  return { subject: `[${values.shop_name}] ${spec.subject[locale](values, payload)}`, blocks };
}

const nameOf = (field: AlertField) => field.placeholder ?? field.key;

function otherDetails(payload: Payload, known: ReadonlySet<string>, locale: NoticeLocale): [string, string][] {
  return Object.entries(payload)
    .filter(([key, value]) => !known.has(key) && value !== undefined)
    .map(([key, value]) => [key, writeValue(value, payload, { locale })]);
}

/** Numbers with the locale's grouping, strings as they are, anything else as compact JSON. */
export function writeValue(value: unknown, _payload: Payload, context: Pick<RenderContext, 'locale'>): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? formatCount(value, context.locale) : String(value);
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
