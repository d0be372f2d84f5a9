import { z } from 'zod';

/** The few fields of a Stripe event recur reads; the object itself is re-read from Stripe, and only its id is taken from the body. */
const envelopeSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  created: z.number().int(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

export type StripeEventEnvelope = z.output<typeof envelopeSchema>;

export function parseStripeEvent(payload: unknown): StripeEventEnvelope {
  return envelopeSchema.parse(payload);
}

export type StripeObject = StripeEventEnvelope['data']['object'];

/** A field that is an id or an expanded object with an id. */
export function idField(object: StripeObject, field: string): string | null {
  const value = object[field];
  if (typeof value === 'string' && value.length > 0) return value;
  if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string') return (value as { id: string }).id;
  return null;
}
