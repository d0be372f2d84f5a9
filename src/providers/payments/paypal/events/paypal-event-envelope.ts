import { z } from 'zod';

/**
 * The fields of a PayPal webhook event recur reads. Of the resource only ids are taken (the
 * subscription, sale, capture or dispute named), and every fact applied is read back from PayPal.
 */
const envelopeSchema = z.object({
  id: z.string().min(1),
  event_type: z.string().min(1),
  create_time: z.iso.datetime({ offset: true }),
  resource_type: z.string().optional(),
  summary: z.string().optional(),
  resource: z.record(z.string(), z.unknown()),
});

export type PaypalEventEnvelope = {
  id: string;
  type: string;
  /** The event's `create_time`. */
  datedAt: Date;
  resourceType: string | null;
  summary: string | null;
  resource: PaypalResource;
};

export type PaypalResource = Record<string, unknown>;

/**
 * A verified body as a PayPal event, or why it is not one. A malformed body is ignored with the
 * reason rather than retried: PayPal signed it as it is, and it will not read differently later.
 */
export function parsePaypalEvent(payload: unknown): PaypalEventEnvelope | string {
  const parsed = envelopeSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `not a PayPal event: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unreadable'}`;
  }
  const event = parsed.data;
  return {
    id: event.id,
    type: event.event_type,
    datedAt: new Date(event.create_time),
    resourceType: event.resource_type ?? null,
    summary: event.summary ?? null,
    resource: event.resource,
  };
}

/** A non-empty string field of the resource, or null. */
export function textField(resource: PaypalResource, field: string): string | null {
  const value = resource[field];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** The id at the end of the resource's link with this `rel` (a refund's `up` link names its capture). */
export function linkedId(resource: PaypalResource, rel: string, collection: string): string | null {
  const links = resource['links'];
  if (!Array.isArray(links)) return null;
  for (const link of links as unknown[]) {
    if (!link || typeof link !== 'object') continue;
    const { rel: linkRel, href } = link as { rel?: unknown; href?: unknown };
    if (linkRel !== rel || typeof href !== 'string') continue;
    const match = new RegExp(`/${collection}/([^/?#]+)$`).exec(href);
    if (match?.[1]) return decodeURIComponent(match[1]);
  }
  return null;
}
