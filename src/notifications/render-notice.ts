import type { NoticeOverrides, TemplateOverride } from '../config/catalogue-schema.ts';
import { toSmsText } from './format-sms.ts';
import { NOTICE_TEMPLATES, isNoticeTemplate, type NoticeLinks, type NoticeLocale, type NoticeTemplate, type ShopIdentity } from './notice-catalogue.ts';
import { fillPlaceholders, findPlaceholders } from './templates/fill-placeholders.ts';
import type { PreparedNotice } from './templates/notice-template.ts';
import { channelsOf, noticeTemplates, placeholdersOf, requiredPlaceholdersOf } from './templates/notice-templates.ts';
import { escapeHtml } from '../shared/escape-html.ts';
import { renderHtmlLayout, renderTextLayout } from './templates/render-layout.ts';

export { placeholdersOf };

export type RenderRequest = { template: NoticeTemplate; locale: NoticeLocale; timeZone: string; payload: unknown; links: NoticeLinks | null; shop: ShopIdentity; overrides: NoticeOverrides };
export type RenderedEmail = { subject: string; text: string; html: string };

/** The payload does not fit the template, the template is unknown, or a customer notice has no links. */
export class NoticeRenderError extends Error {
  override name = 'NoticeRenderError';
}

/**
 * The e-mail of one notice: recur's wording, or the shop's override of any part of it for this
 * template and locale. Values are formatted for the locale and the reader's time zone; in HTML
 * every value is escaped, in the shop's HTML too.
 */
export function renderEmail(request: RenderRequest): RenderedEmail {
  const { values, content } = prepare(request);
  const override = overrideOf(request);
  // A line break in a subject would start a new mail header; a customer's name may hold one.
  const subject = (override.subject ? fill(request, override.subject, values) : content.subject).replace(/[\r\n\t\v\f\u2028\u2029]+/g, ' ').trim();
  return {
    subject,
    text: override.text ? fill(request, override.text, values) : renderTextLayout(content.blocks),
    html: override.html ? fill(request, override.html, values, escapeHtml) : renderHtmlLayout(content.blocks, subject, request.locale),
  };
}

/** The SMS of a notice in SMS_NOTICES: one line, plain spaces, GSM characters where the wording allows. */
export function renderSms(request: RenderRequest): string {
  if (!channelsOf(knownTemplate(request.template)).includes('sms')) throw new NoticeRenderError(`${request.template} has no SMS text (SMS notices: ${NOTICE_TEMPLATES.filter((t) => channelsOf(t).includes('sms')).join(', ')})`);
  const { values, content } = prepare(request);
  const override = overrideOf(request);
  const sms = override.sms ? fill(request, override.sms, values) : content.sms;
  if (!sms) throw new NoticeRenderError(`${request.template} has no SMS text in ${request.locale}`);
  return toSmsText(sms);
}

const PARTS = ['subject', 'text', 'html', 'sms'] as const;

/**
 * Every problem in a shop's overrides, one line each naming where it is; [] when all are fine.
 * Unknown placeholders, SMS text for a notice that sends no SMS, and text or HTML that leaves out
 * what the card networks require (amount, date, frequency, the cancel link) are problems.
 */
export function validateNoticeOverrides(overrides: NoticeOverrides): string[] {
  const problems: string[] = [];
  for (const [template, locales] of Object.entries(overrides)) {
    const at = `notices.templates.${template}`;
    if (!isNoticeTemplate(template)) {
      problems.push(`${at}: unknown template (templates: ${NOTICE_TEMPLATES.join(', ')})`);
      continue;
    }
    const known = placeholdersOf(template);
    const required = requiredPlaceholdersOf(template);
    for (const [locale, override] of Object.entries(locales ?? {}) as [string, TemplateOverride | undefined][]) {
      for (const part of PARTS) {
        const text = override?.[part];
        if (text === undefined) continue;
        const where = `${at}.${locale}.${part}`;
        if (part === 'sms' && !channelsOf(template).includes('sms')) problems.push(`${where}: ${template} is not sent by SMS`);
        const used = findPlaceholders(text);
        for (const name of used.filter((name) => !known.includes(name))) problems.push(`${where}: unknown placeholder {{${name}}} (known: ${known.map((p) => `{{${p}}}`).join(' ')})`);
        const mustKeep = part === 'sms' ? required.sms : part === 'subject' ? [] : required.email;
        for (const name of mustKeep.filter((name) => !used.includes(name))) problems.push(`${where}: must contain {{${name}}} (the card networks and consumer law require it in this notice)`);
      }
    }
  }
  return problems;
}

function knownTemplate(template: string): NoticeTemplate {
  if (!isNoticeTemplate(template)) throw new NoticeRenderError(`unknown template "${template}" (templates: ${NOTICE_TEMPLATES.join(', ')})`);
  return template;
}

function prepare(request: RenderRequest): PreparedNotice {
  const definition = noticeTemplates[knownTemplate(request.template)];
  const { links } = request;
  if (links && !(isWebAddress(links.cancel) && isWebAddress(links.payment_method))) throw new NoticeRenderError(`${request.template}: links must be http(s) URLs`);
  const prepared = definition.prepare(request.payload, { locale: request.locale, timeZone: request.timeZone, links, shop: request.shop });
  if ('problem' in prepared) throw new NoticeRenderError(`${request.template}: ${prepared.problem}`);
  return prepared;
}

function overrideOf(request: RenderRequest): TemplateOverride {
  return request.overrides[request.template]?.[request.locale] ?? {};
}

function fill(request: RenderRequest, text: string, values: Readonly<Record<string, string>>, escape?: (value: string) => string): string {
  try {
    return fillPlaceholders(text, values, escape);
  } catch (error) {
    throw new NoticeRenderError(`${request.template} (${request.locale}) override: ${(error as Error).message}`);
  }
}

const isWebAddress = (value: string) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
