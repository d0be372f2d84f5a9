import { isStorableJsonText, toStorableJson } from '../shared/storable-json.ts';
import { toStorableText } from '../shared/storable-text.ts';
import type { VerifiedEvent } from './webhook-verifier.ts';

/** A verified event as the inbox can hold it; `parkedReason`: stored, but never to be processed. */
export type StorableEvent = { event: VerifiedEvent; parkedReason: string | null };

/**
 * A signed event is the provider's: answering anything but 2xx only makes it deliver the same
 * bytes again (Stripe for three days, SendGrid for one), so whatever it holds is stored.
 * A U+0000 or a lone surrogate in a string becomes U+FFFD: the payload is a hint of what to read
 * from the provider, never the state itself. A payload nested too deep to store is parked: its
 * top-level fields (id, type, created) are kept and the row is dead, for a person to look at.
 */
export function toStorableEvent(event: VerifiedEvent): StorableEvent {
  // The common case, decided on the signed text without copying the value: every string of the
  // event (its id and type too) is storable, and the text itself is what the inbox stores.
  if (event.payloadText !== undefined && isStorableJsonText(event.payloadText)) return { event, parkedReason: null };
  const payload = toStorableJson(event.payload);
  const { payloadText: _changed, ...rest } = event;
  const stored: VerifiedEvent = {
    ...rest,
    providerEventId: toStorableText(event.providerEventId),
    type: toStorableText(event.type),
    payload: payload.value ?? {},
  };
  return { event: stored, parkedReason: payload.refused === null ? null : `parked at receipt: the payload is ${payload.refused}; only its top-level fields were stored` };
}
