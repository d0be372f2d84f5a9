import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { newId } from '../state/ids.ts';
import { type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import { optionalString, requireInt, requireString } from '../wire/params.ts';

type BankTransferAction = { display_bank_transfer_instructions?: { amount_remaining: number } };

/** Money arriving by bank transfer pays the customer's waiting customer_balance payments, oldest first. */
function applyBalance(rt: StripeRuntime, customerId: string, currency: string, balances: Map<string, number>): void {
  const waiting = rt.state.paymentIntents.filter((pi) => pi.customer === customerId && pi.currency === currency && pi.status === 'requires_action' && Boolean((pi.next_action as BankTransferAction | null)?.display_bank_transfer_instructions));
  for (const intent of waiting) {
    const available = balances.get(currency) ?? 0;
    if (available <= 0) return;
    const instructions = (intent.next_action as BankTransferAction).display_bank_transfer_instructions!;
    const applied = Math.min(available, instructions.amount_remaining);
    balances.set(currency, available - applied);
    instructions.amount_remaining -= applied;
    intent.amount_received += applied;
    if (instructions.amount_remaining > 0) {
      rt.events.record('payment_intent.partially_funded', intent);
      continue;
    }
    intent.status = 'succeeded';
    intent.next_action = null;
    rt.events.record('payment_intent.succeeded', intent);
    for (const listener of rt.paymentIntentListeners) listener(intent);
  }
}

/** The SDK does not export this test helper's parameter type by name. */
type FundCashBalanceParams = Parameters<Stripe['testHelpers']['customers']['fundCashBalance']>[1];

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ACCEPTS = {
  'POST /test_helpers/customers/:id/fund_cash_balance': { amount: true, currency: true, reference: true } satisfies SpecOf<FundCashBalanceParams>,
};

export function cashBalanceRoutes(rt: StripeRuntime): RouteTable {
  return declareRoutes(ACCEPTS, {
    'POST /test_helpers/customers/:id/fund_cash_balance': ({ path, params }) => {
      const customer = rt.state.customers.require(path.id!);
      const amount = requireInt(params, 'amount', { min: 1 });
      const currency = requireString(params, 'currency').toLowerCase();
      const balances = rt.state.cashBalances.get(customer.id) ?? new Map<string, number>();
      rt.state.cashBalances.set(customer.id, balances);
      balances.set(currency, (balances.get(currency) ?? 0) + amount);
      const transaction = {
        id: newId('ccsbtxn'),
        object: 'customer_cash_balance_transaction',
        created: rt.time.nowFor(customer.id),
        currency,
        customer: customer.id,
        ending_balance: balances.get(currency)!,
        funded: { bank_transfer: { reference: optionalString(params, 'reference') ?? null, type: 'jp_bank_transfer' } },
        livemode: false,
        net_amount: amount,
        type: 'funded',
      } as unknown as Stripe.CustomerCashBalanceTransaction;
      rt.events.record('customer_cash_balance_transaction.created', transaction);
      applyBalance(rt, customer.id, currency, balances);
      return transaction;
    },
  });
}
