/**
 * Counts events (failed API-key checks, refused webhooks, ...) per client address in fixed
 * windows, in this process's memory: enough to make a flood from one address cheap to refuse.
 * Time is a monotonic clock of the process, not recur's Clock: these windows are about the
 * network, and must not jump when the development clock is moved by months.
 */
export class AddressCounter {
  readonly #counts = new Map<string, number>();
  #windowStartedAt: number;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
    // An attack from many addresses must not grow memory without end: the oldest entry goes first.
    private readonly maxAddresses = 100_000,
  ) {
    this.#windowStartedAt = now();
  }

  /** Seconds until the address may be heard again, or null while it is within the limit. */
  retryAfterSeconds(address: string): number | null {
    this.#rollWindow();
    if ((this.#counts.get(address) ?? 0) < this.limit) return null;
    return Math.max(1, Math.ceil((this.#windowStartedAt + this.windowMs - this.now()) / 1000));
  }

  add(address: string): void {
    this.#rollWindow();
    const count = this.#counts.get(address);
    if (count === undefined && this.#counts.size >= this.maxAddresses) {
      const oldest = this.#counts.keys().next().value;
      if (oldest !== undefined) this.#counts.delete(oldest);
    }
    this.#counts.set(address, (count ?? 0) + 1);
  }

  #rollWindow(): void {
    const now = this.now();
    if (now - this.#windowStartedAt < this.windowMs) return;
    this.#counts.clear();
    this.#windowStartedAt = now;
  }
}
