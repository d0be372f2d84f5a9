import type { SendgridError } from './sendgrid-errors.ts';

export type Address = { email: string; name?: string };
export type Personalization = {
  to?: Address[];
  cc?: Address[];
  bcc?: Address[];
  from?: Address;
  subject?: string;
  custom_args?: Record<string, string>;
  send_at?: number;
};

/** The part of a Mail Send body the sandbox reads, once the body has passed the spec's schema. */
export type MailSendBody = {
  personalizations: Personalization[];
  from: Address;
  reply_to?: Address;
  reply_to_list?: Address[];
  subject?: string;
  content?: { type: string; value: string }[];
  template_id?: string;
  categories?: string[];
  custom_args?: Record<string, string>;
  send_at?: number;
};

const maxScheduleAheadSeconds = 72 * 3600;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parts the rules read, taken from a body that may also have broken the schema. */
function readable(body: unknown): MailSendBody | null {
  if (!isObject(body)) return null;
  const list = (value: unknown) => (Array.isArray(value) ? value.filter(isObject) : []);
  const addresses = (value: unknown) => list(value).filter((a): a is Address => typeof a.email === 'string');
  return {
    ...(body as MailSendBody),
    personalizations: list(body.personalizations).map((p) => ({ ...p, to: addresses(p.to), cc: addresses(p.cc), bcc: addresses(p.bcc) })) as Personalization[],
    content: Array.isArray(body.content) ? (body.content as MailSendBody['content']) : undefined,
  } as MailSendBody;
}

/**
 * What SendGrid refuses beyond the schema: the spec leaves subject and content optional (a
 * template may supply them) and has no minimum of personalizations or recipients, but the live
 * API answers 400 for each. Reported alongside the schema's errors, as SendGrid lists them all.
 */
export function ruleErrors(input: unknown, nowSeconds: number): SendgridError[] {
  const body = readable(input);
  if (!body) return [];
  const errors: SendgridError[] = [];
  if (body.personalizations.length === 0) {
    errors.push({ field: 'personalizations', message: 'The personalizations field is required and must have at least one personalization.' });
  }
  body.personalizations.forEach((personalization, index) => {
    if ((personalization.to ?? []).length === 0) {
      errors.push({
        field: `personalizations.${index}.to`,
        message: 'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
      });
    }
    const duplicate = firstDuplicate(personalization);
    if (duplicate) {
      errors.push({
        field: `personalizations.${index}.${duplicate.list}`,
        message: `Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [${duplicate.email}] in the personalizations.${index}.${duplicate.list} field.`,
      });
    }
  });
  const everyPersonalizationHasSubject = body.personalizations.length > 0 && body.personalizations.every((p) => p.subject !== undefined);
  if (!body.template_id && body.subject === undefined && !everyPersonalizationHasSubject) {
    errors.push({
      field: 'subject',
      message: 'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
    });
  }
  if (!body.template_id && (!body.content || body.content.length === 0)) {
    errors.push({
      field: 'content',
      message: 'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.',
    });
  }
  if (body.reply_to && body.reply_to_list) {
    errors.push({ field: 'reply_to_list', message: 'The reply_to and reply_to_list properties cannot be used together.' });
  }
  const sendAts = [body.send_at, ...body.personalizations.map((p) => p.send_at)].filter((at): at is number => typeof at === 'number');
  if (sendAts.some((at) => at > nowSeconds + maxScheduleAheadSeconds)) {
    errors.push({ field: 'send_at', message: 'The send_at parameter cannot be scheduled more than 72 hours in advance.' });
  }
  return errors;
}

function firstDuplicate(personalization: Personalization): { email: string; list: 'to' | 'cc' | 'bcc' } | null {
  const seen = new Set<string>();
  for (const list of ['to', 'cc', 'bcc'] as const) {
    for (const address of personalization[list] ?? []) {
      const email = address.email.toLowerCase();
      if (seen.has(email)) return { email: address.email, list };
      seen.add(email);
    }
  }
  return null;
}
