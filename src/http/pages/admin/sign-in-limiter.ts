import { AddressCounter } from '../../address-counter.ts';

const FAILURES_ALLOWED = 5;
const WINDOW_MS = 15 * 60_000;

/**
 * Wrong sign-ins counted per username and per client address: five of either in fifteen minutes
 * and further tries get 429 until the window ends, the right password too (else guessing would go
 * on until it hit). In this process's memory, as the API's key failures are: each process of a
 * deployment counts on its own.
 */
export class SignInLimiter {
  readonly #byUsername: AddressCounter;
  readonly #byAddress: AddressCounter;

  constructor(now?: () => number) {
    this.#byUsername = new AddressCounter(FAILURES_ALLOWED, WINDOW_MS, now);
    this.#byAddress = new AddressCounter(FAILURES_ALLOWED, WINDOW_MS, now);
  }

  /** Seconds to wait, or null while neither the name nor the address has failed too often. */
  retryAfterSeconds(username: string | null, address: string): number | null {
    const waits = [this.#byAddress.retryAfterSeconds(address), username === null ? null : this.#byUsername.retryAfterSeconds(username)].filter((wait) => wait !== null);
    return waits.length > 0 ? Math.max(...waits) : null;
  }

  recordFailure(username: string | null, address: string): void {
    this.#byAddress.add(address);
    if (username !== null) this.#byUsername.add(username);
  }
}
