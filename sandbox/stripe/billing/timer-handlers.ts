import { closeDispute, openDispute } from '../payments/disputes.ts';
import { settleDebit } from '../payments/payment-intents.ts';
import { failRefund, settleRefund } from '../payments/refund-lifecycle.ts';
import { expireSession } from '../resources/checkout-sessions.ts';
import type { StripeRuntime } from '../runtime.ts';
import type { Timer, TimerArgs, TimerKind } from '../state/timers.ts';
import { expireIncompleteSubscription } from './create-subscription.ts';

type TimerHandler<K extends TimerKind> = (rt: StripeRuntime, args: TimerArgs[K], at: number) => void;

/**
 * What each kind of timer does when its moment comes. A timer names its objects by id and looks
 * them up then. None of them is removed while a timer waits (deleting a test clock takes its
 * timers along), so a missing one means a hand-edited state file: nothing to do.
 */
const handlers: { [K in TimerKind]: TimerHandler<K> } = {
  expire_incomplete_subscription: (rt, args, at) => {
    const subscription = rt.state.subscriptions.get(args.subscription);
    if (subscription) expireIncompleteSubscription(rt, subscription, at);
  },
  expire_checkout_session: (rt, args) => {
    const session = rt.state.checkoutSessions.get(args.session);
    if (session?.status === 'open') expireSession(rt, session);
  },
  settle_sepa_debit: (rt, args) => {
    const intent = rt.state.paymentIntents.get(args.paymentIntent);
    const charge = rt.state.charges.get(args.charge);
    const paymentMethod = rt.state.paymentMethods.get(args.paymentMethod);
    if (intent && charge && paymentMethod) settleDebit(rt, intent, charge, paymentMethod);
  },
  open_dispute: (rt, args) => {
    const charge = rt.state.charges.get(args.charge);
    if (charge) openDispute(rt, charge, { reason: args.reason, inquiry: args.inquiry });
  },
  close_dispute: (rt, args) => {
    const dispute = rt.state.disputes.get(args.dispute);
    if (dispute) closeDispute(rt, dispute, args.won);
  },
  settle_refund: (rt, args) => {
    const refund = rt.state.refunds.get(args.refund);
    if (refund) settleRefund(rt, refund);
  },
  fail_refund: (rt, args) => {
    const refund = rt.state.refunds.get(args.refund);
    if (refund) failRefund(rt, refund);
  },
};

export function runTimer(rt: StripeRuntime, timer: Timer): void {
  const handler = handlers[timer.kind] as TimerHandler<typeof timer.kind>;
  handler(rt, timer.args as never, timer.at);
}
