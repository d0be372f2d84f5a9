import type { ProviderOperations } from '../../providers/payments/provider-operations.ts';
import type { OpenCheckoutSession } from '../../providers/payments/provider-objects.ts';
import { RecurError } from '../../shared/errors.ts';

export type OpenCheckoutOutcome = { kind: 'newest'; expired: string[] } | { kind: 'superseded'; by: OpenCheckoutSession; expired: string[] };

/** Sessions known before this one was opened rank lowest; then Stripe's creation second, then the id. */
function rankOf(session: OpenCheckoutSession, earlier: ReadonlySet<string>): [number, number, string] {
  return [earlier.has(session.id) ? 0 : 1, session.created.getTime(), session.id];
}

function isNewer(a: OpenCheckoutSession, b: OpenCheckoutSession, earlier: ReadonlySet<string>): boolean {
  const [ra, rb] = [rankOf(a, earlier), rankOf(b, earlier)];
  return ra[0] !== rb[0] ? ra[0] > rb[0] : ra[1] !== rb[1] ? ra[1] > rb[1] : ra[2] > rb[2];
}

/**
 * One open checkout per customer at Stripe, so two of them (a double click, two tabs, an old tab
 * left open) can never both be paid into two subscriptions. Every request that opens a session
 * then lists the customer's open sessions recur made and expires all but the newest. The last
 * request to list sees every session, so at most one stays open whatever the others chose. The
 * newest is one opened after this request began (the sessions recur already held open are
 * older, even within Stripe's one-second `created`), then by (created, id), which concurrent
 * requests agree on, so a double click leaves exactly one. A session that was paid before it could be
 * expired means the customer has just subscribed; then this one is expired too and refused. What
 * still slips through (a session paid between another request's check and its list) is left to
 * reconciliation's several_live_subscriptions alert.
 */
export async function keepNewestOpenCheckout(gateway: ProviderOperations, input: { providerCustomerId: string | null; recurCustomerId: string; ownSessionId: string; earlier: ReadonlySet<string> }): Promise<OpenCheckoutOutcome> {
  const openSessionIds = [...input.earlier, input.ownSessionId];
  const listed = (await gateway.listOpenCheckoutSessions({ providerCustomerId: input.providerCustomerId, recurCustomerId: input.recurCustomerId, openSessionIds })).filter((session) => session.recurCustomerId === input.recurCustomerId);
  // The own session is missing when a concurrent request has already expired it in favour of another.
  if (listed.length === 0) throw new RecurError('conflict', 'another checkout for this customer was started and finished at the same moment; reload to see the subscription');
  const newest = listed.reduce((best, session) => (isNewer(session, best, input.earlier) ? session : best));
  const expired: string[] = [];
  let paid: string | null = null;
  for (const session of listed) {
    if (session.id === newest.id) continue;
    const status = await gateway.expireCheckoutSession(session.id);
    if (status === 'complete') paid = session.id;
    else expired.push(session.id);
  }
  if (paid) {
    if ((await gateway.expireCheckoutSession(newest.id)) === 'complete') paid = newest.id;
    throw new RecurError('conflict', `the customer has just paid checkout session ${paid}; a second checkout is not opened until that subscription is recorded`, { details: { checkout_session_id: paid } });
  }
  return newest.id === input.ownSessionId ? { kind: 'newest', expired } : { kind: 'superseded', by: newest, expired };
}
