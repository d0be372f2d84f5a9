import type PgBoss from 'pg-boss';

export type TrackedDb = PgBoss.Db & { inFlight(): number };

/** Counts the queries under way through `db`, so a shutdown can wait for the last one. */
export function trackQueries(db: PgBoss.Db): TrackedDb {
  let inFlight = 0;
  return {
    async executeSql(text, values) {
      inFlight++;
      try {
        return await db.executeSql(text, values);
      } finally {
        inFlight--;
      }
    },
    inFlight: () => inFlight,
  };
}

const POLL_MS = 20;
// Work may start between two looks (a fetch's jobs handed to a handler, a handler's completion
// query), but only in the microtasks that follow a query; two idle looks a macrotask apart see it.
const IDLE_LOOKS = 2;

/** Resolves true once `isIdle` holds on consecutive looks, or false after `timeoutMs`. */
export async function waitUntilIdle(isIdle: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let idleLooks = 0;
  while (idleLooks < IDLE_LOOKS) {
    if (Date.now() > deadline) return false;
    idleLooks = isIdle() ? idleLooks + 1 : 0;
    if (idleLooks < IDLE_LOOKS) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return true;
}
