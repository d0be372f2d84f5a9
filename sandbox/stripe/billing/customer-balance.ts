import type Stripe from 'stripe';
import type { StoredInvoice } from '../state/stripe-state.ts';

/**
 * Stripe applies the customer's balance (below zero: a credit) to an invoice when it finalizes
 * it, and keeps what the invoice leaves as the new balance: a negative total (a switch whose
 * unused-time credit outweighs the new charge) is not lost but pays the next invoices. A preview
 * shows the same amount due without touching the balance.
 */
export function applyCustomerBalance(invoice: StoredInvoice, customer: Stripe.Customer, preview: boolean): void {
  const start = customer.balance ?? 0;
  const net = invoice.total + start;
  invoice.starting_balance = start;
  invoice.amount_due = Math.max(0, net);
  invoice.amount_remaining = Math.max(0, net - invoice.amount_paid);
  if (preview) return;
  invoice.ending_balance = Math.min(0, net);
  customer.balance = invoice.ending_balance;
}
