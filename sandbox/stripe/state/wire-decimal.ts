import type Stripe from 'stripe';

export type WireDecimal = NonNullable<Stripe.Price['unit_amount_decimal']>;

/** Stripe sends decimals as strings; the SDK turns them into its Decimal type on some endpoints. */
export function wireDecimal(value: string | number): WireDecimal {
  return String(value) as unknown as WireDecimal;
}
