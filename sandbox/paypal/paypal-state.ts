import { z } from 'zod';
import type { SigningAuthority } from './signing-authority.ts';

export type BillingCycle = {
  tenure_type: 'TRIAL' | 'REGULAR';
  sequence: number;
  total_cycles: number;
  frequency: { interval_unit: 'DAY' | 'WEEK' | 'MONTH' | 'YEAR'; interval_count: number };
  /** Minor units; null for a free trial written without a price. */
  price: number | null;
};

export type StoredProduct = { id: string; name: string; description?: string; type: string; category?: string; image_url?: string; home_url?: string; create_time: string; update_time: string };

export type StoredPlan = {
  id: string;
  product_id: string;
  name: string;
  description?: string;
  status: 'CREATED' | 'ACTIVE' | 'INACTIVE';
  currency: string;
  billing_cycles: BillingCycle[];
  auto_bill_outstanding: boolean;
  setup_fee_failure_action: 'CONTINUE' | 'CANCEL';
  payment_failure_threshold: number;
  create_time: string;
  update_time: string;
};

export type SubscriptionStatus = 'APPROVAL_PENDING' | 'APPROVED' | 'ACTIVE' | 'SUSPENDED' | 'CANCELLED' | 'EXPIRED';

export type StoredSubscription = {
  id: string;
  plan_id: string;
  status: SubscriptionStatus;
  status_change_note?: string;
  custom_id?: string;
  subscriber: { email_address?: string; name?: { given_name?: string; surname?: string }; payer_id?: string };
  return_url?: string;
  cancel_url?: string;
  brand_name?: string;
  approval_token: string;
  ba_token: string;
  start_time: string;
  /** Created with a start_time: the approval activates it without a charge, the first regular cycle billed at start_time. */
  deferred_start?: boolean;
  create_time: string;
  update_time: string;
  status_update_time: string;
  /** The test payer who approved it (decides whether its charges go through). */
  payer: string | null;
  /** Set by the fix-funding control route: the payer's charges go through from then on. */
  funding_fixed: boolean;
  cycles: { TRIAL: number; REGULAR: number };
  /** The next regular cycle's moment (ISO), or null when none is due. */
  next_cycle_at: string | null;
  /** The next retry of a failed payment (ISO), or null. */
  retry_at: string | null;
  retries: number;
  failed_payments_count: number;
  last_failed_payment: { amount: number; time: string } | null;
  outstanding: number;
  last_payment: { amount: number; time: string } | null;
  /** A revision waiting for the next cycle. */
  pending_plan_id: string | null;
};

/** A sale (a subscription's charge) or a capture (an order's); both are refunded through v2 captures. */
export type StoredPayment = {
  id: string;
  kind: 'sale' | 'capture';
  status: 'COMPLETED' | 'DECLINED' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'REVERSED';
  amount: number;
  currency: string;
  refunded: number;
  payer: string;
  custom_id?: string;
  invoice_id?: string;
  subscription_id?: string;
  order_id?: string;
  create_time: string;
  update_time: string;
};

export type StoredRefund = { id: string; payment_id: string; amount: number; currency: string; note_to_payer?: string; custom_id?: string; invoice_id?: string; create_time: string };

export type StoredOrder = {
  id: string;
  intent: 'CAPTURE' | 'AUTHORIZE';
  status: 'CREATED' | 'PAYER_ACTION_REQUIRED' | 'APPROVED' | 'COMPLETED' | 'VOIDED';
  purchase_units: Array<{ reference_id: string; amount: number; currency: string; custom_id?: string; description?: string; invoice_id?: string }>;
  return_url?: string;
  cancel_url?: string;
  /** Whether the request used `payment_source` (then the link is `payer-action`, as PayPal answers). */
  payment_source_style: boolean;
  payer: string | null;
  payer_id: string | null;
  capture_ids: string[];
  create_time: string;
  update_time: string;
};

export type StoredDispute = {
  id: string;
  payment_id: string;
  amount: number;
  currency: string;
  reason: string;
  status: 'WAITING_FOR_SELLER_RESPONSE' | 'UNDER_REVIEW' | 'RESOLVED';
  outcome: 'RESOLVED_BUYER_FAVOUR' | 'RESOLVED_SELLER_FAVOUR' | null;
  seller_response_due_date: string;
  create_time: string;
  update_time: string;
};

export type StoredWebhook = { id: string; url: string; event_types: string[] };

export type StoredEvent = { id: string; event_type: string; create_time: string; webhook_ids: string[] };

/** A POST's first answer under its PayPal-Request-Id; `at`: when it was given (wall time, ms), kept 72 hours as PayPal keeps them. */
export type Replay = { fingerprint: string; status: number; body: unknown; at: number };

/** Everything the PayPal emulator remembers, as plain JSON data (the state file keeps it whole). */
export type PaypalData = {
  tokens: Record<string, number>;
  products: Record<string, StoredProduct>;
  plans: Record<string, StoredPlan>;
  subscriptions: Record<string, StoredSubscription>;
  payments: Record<string, StoredPayment>;
  refunds: Record<string, StoredRefund>;
  orders: Record<string, StoredOrder>;
  disputes: Record<string, StoredDispute>;
  /** Disputes the disputing test payer will open: at a moment, against a payment. */
  dispute_openings: Array<{ at: string; payment_id: string }>;
  webhooks: Record<string, StoredWebhook>;
  events: StoredEvent[];
  idempotency: Record<string, Replay>;
  authority: SigningAuthority | null;
};

export function emptyPaypalData(authority: SigningAuthority | null = null): PaypalData {
  return {
    tokens: {},
    products: {},
    plans: {},
    subscriptions: {},
    payments: {},
    refunds: {},
    orders: {},
    disputes: {},
    dispute_openings: [],
    webhooks: {},
    events: [],
    idempotency: {},
    authority,
  };
}

const table = z.record(z.string(), z.looseObject({ id: z.string() }));
const authority = z.object({ certId: z.string(), rootCertificatePem: z.string(), signingCertificatePem: z.string(), signingKeyPem: z.string() });

/** The top level of a snapshot, checked before it replaces anything; objects are kept as written. */
const snapshotSchema = z.object({
  tokens: z.record(z.string(), z.number()),
  products: table,
  plans: table,
  subscriptions: table,
  payments: table,
  refunds: table,
  orders: table,
  disputes: table,
  dispute_openings: z.array(z.object({ at: z.iso.datetime(), payment_id: z.string() })),
  webhooks: table,
  events: z.array(z.looseObject({ id: z.string(), event_type: z.string() })),
  idempotency: z.record(z.string(), z.object({ fingerprint: z.string(), status: z.number().int(), body: z.unknown(), at: z.number() })),
  authority: authority.nullable(),
});

export function parsePaypalSnapshot(snapshot: unknown): PaypalData {
  const parsed = snapshotSchema.safeParse(snapshot);
  if (!parsed.success) throw new Error(`cannot restore the PayPal sandbox from this snapshot:\n${z.prettifyError(parsed.error)}`);
  return structuredClone(parsed.data) as unknown as PaypalData;
}
