/**
 * A FIFO lock. PGlite has one session: two transactions that overlap on it interleave their
 * statements and corrupt each other, so every statement and every transaction takes this lock.
 */
export class SerialLock {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(work: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const previous = this.tail;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }
}
