/**
 * One-off work at a moment of a clock, kept as data (a kind and the ids it concerns) rather than
 * a closure, so that pending work survives a snapshot: a restored sandbox still settles the SEPA
 * debit or opens the dispute when its clock gets there. The handlers are in
 * `billing/timer-handlers.ts`.
 */
export type TimerArgs = {
  /** A subscription whose first invoice is still unpaid becomes incomplete_expired. */
  expire_incomplete_subscription: { subscription: string };
  expire_checkout_session: { session: string };
  /** A SEPA Direct Debit settles (or fails) as its IBAN says. */
  settle_sepa_debit: { paymentIntent: string; charge: string; paymentMethod: string };
  /** The cardholder disputes a charge made with one of Stripe's dispute test cards. */
  open_dispute: { charge: string; reason: string; inquiry: boolean };
  /** Test evidence (`winning_evidence` / `losing_evidence`) was submitted. */
  close_dispute: { dispute: string; won: boolean };
  /** A refund left pending (SEPA Direct Debit) reaches the customer's bank. */
  settle_refund: { refund: string };
  /** A refund of Stripe's `refundFail` test card fails after it was first `succeeded`. */
  fail_refund: { refund: string };
};

export type TimerKind = keyof TimerArgs;

// A record, not a list, so that the compiler insists on every kind.
const kinds: Record<TimerKind, true> = { expire_incomplete_subscription: true, expire_checkout_session: true, settle_sepa_debit: true, open_dispute: true, close_dispute: true, settle_refund: true, fail_refund: true };
export const timerKinds = Object.keys(kinds) as TimerKind[];

/** `clockId` null: the shared sandbox clock; otherwise a test clock. */
export type Timer = { [K in TimerKind]: { at: number; clockId: string | null; seq: number; kind: K; args: TimerArgs[K] } }[TimerKind];
