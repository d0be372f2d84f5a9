import type { ProviderOperations } from './provider-operations.ts';

/** The gateway's reads of one object by id: the ones an event handler makes. */
const SHARED_READS = ['retrieveSubscription', 'retrieveInvoicePayment', 'retrievePayment', 'retrieveCustomer', 'retrieveCharge', 'retrieveDispute', 'retrieveRefund', 'listChargeRefunds', 'retrieveCheckoutSession'] as const;

type Read = (...args: unknown[]) => Promise<unknown>;

/**
 * The gateway for one inbox batch: a read of the same object with the same arguments is sent once
 * and its answer (or the request in flight) serves every later caller in the batch. Only for a
 * batch of events received before it started: the shared read, made after all of them existed,
 * is at least as new as each. A failed read is forgotten, so the next caller asks again.
 */
export function shareReadsWithinBatch<G extends ProviderOperations>(gateway: G): G {
  const answers = new Map<string, Promise<unknown>>();
  const shared: G = { ...gateway };
  for (const name of SHARED_READS) {
    const read = gateway[name].bind(gateway) as Read;
    const once: Read = (...args) => {
      const key = `${name}:${JSON.stringify(args)}`;
      let answer = answers.get(key);
      if (!answer) {
        answer = read(...args);
        answers.set(key, answer);
        answer.catch(() => answers.delete(key));
      }
      return answer;
    };
    Object.assign(shared, { [name]: once });
  }
  return shared;
}
